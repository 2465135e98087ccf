"""A visitor's product history, taken out of the product page so that the page can be shared.

Oscar's product page records each view itself (its `product_viewed` signal: the customer app's
receiver sets the `oscar_history` cookie, the analytics app's counts ProductRecord.num_views)
and renders "recently viewed products" from that cookie: a page like that is one visitor's, and
a response that sets a cookie is never stored by the site's page cache. Here the page is the
same for every anonymous visitor, and its script does the rest after it (static/shop/
product_history.js): it posts a view beacon, whose answer sets the cookie, then fetches the
"recently viewed" fragment, rendered from that cookie by Oscar's own tag.

Visitors without JavaScript, most bots among them, are then not counted as views, nor given a
history: the counter is meant for people.

Not an Oscar fork: the views take Oscar's classes through get_class."""
