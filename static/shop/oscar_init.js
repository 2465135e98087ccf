// Oscar's page set-up (forms, date pickers), which Oscar's layout runs from an inline script:
// from a static file, so that the shop's cached pages keep no inline script (see
// templates/oscar/base.html). Pages with their own onload code still add it inline, with the
// response's nonce.
$(function () {
  oscar.init();
});
