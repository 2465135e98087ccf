/* Booké client portal: the proofing gallery.
 *
 * Progressive enhancement of a page that works without it: the hearts are forms, thumbnails
 * link to the proofs, filters are links (applied by the server to every photo), the pager's
 * "Page suivante" link leads to the next cards. With this script: the next cards arrive as the
 * client scrolls (the pager's data-next, an HTML fragment), a lightbox (tap, ←/→/Esc, swipe)
 * that loads more as it goes, picks and comments saved with fetch(), a live counter.
 * Vanilla JS, no build step. */
(function () {
  "use strict";

  var root = document.querySelector("[data-gallery]");
  if (!root) return;

  var readonly = root.hasAttribute("data-readonly");
  var textsNode = document.getElementById("portal-texts");
  var texts = textsNode ? JSON.parse(textsNode.textContent) : {};
  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var grid = root.querySelector("[data-grid]");
  var filter = currentFilter();

  /* The cards loaded so far (more arrive as the client scrolls). */
  function loadedCards() {
    return Array.prototype.slice.call(root.querySelectorAll("[data-photo]"));
  }

  /* --- The next page of cards ------------------------------------------------------------ */

  var loading = null;

  function nextLink() {
    return root.querySelector("[data-pager] [data-next]");
  }

  /* Fetch the pager's next page and append its cards; resolves false when there is none. */
  function loadMore() {
    if (loading) return loading;
    var link = nextLink();
    if (!link || !grid) return Promise.resolve(false);
    loading = fetch(link.dataset.next, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(texts.error);
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("template");
        holder.innerHTML = html;
        var fragment = holder.content;
        var cards = fragment.querySelector("[data-cards]");
        while (cards && cards.firstElementChild) grid.appendChild(cards.firstElementChild);
        var pager = root.querySelector("[data-pager]");
        var next = fragment.querySelector("[data-pager]");
        if (pager && next) pager.replaceWith(next);
        else if (pager) pager.remove();
        watchEnd();
        return true;
      })
      .catch(function (error) { showError(error.message); return false; })
      .then(function (more) { loading = null; return more; });
    return loading;
  }

  /* The next page is fetched when the pager comes within a screen or so of the view. */
  var watcher = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) loadMore();
    });
  }, { rootMargin: "0px 0px 1200px 0px" }) : null;

  function watchEnd() {
    if (!watcher) return;
    watcher.disconnect();
    var link = nextLink();
    if (link) watcher.observe(link);
  }

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (_, key) {
      return key in values ? values[key] : "";
    });
  }

  function csrfToken() {
    if (csrfInput) return csrfInput.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function showError(message) {
    // In the lightbox when it is open (the page behind is hidden by it), on the page otherwise.
    var box = dialog && dialog.open ? dialog.querySelector("[data-toast]")
      : document.querySelector("[data-page-toast]");
    if (!box) { window.alert(message); return; }
    box.textContent = message;
    box.hidden = false;
    clearTimeout(box._timer);
    box._timer = setTimeout(function () { box.hidden = true; }, 6000);
  }

  /* POST a form body, expect JSON; a refusal comes back as 400 {"error": "..."}. */
  function post(url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
      body: new URLSearchParams(data)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (payload) {
        if (!response.ok) throw new Error(payload.error || texts.error);
        return payload;
      });
    }, function () { throw new Error(texts.error); });
  }

  /* --- State shown on a card ------------------------------------------------------------ */

  function isPicked(card) { return card.dataset.picked === "true"; }

  function setPicked(card, picked) {
    card.dataset.picked = picked ? "true" : "false";
    var button = card.querySelector(".pick-form .heart");
    if (button) button.setAttribute("aria-pressed", picked ? "true" : "false");
    var next = card.querySelector(".pick-form input[name=picked]");
    if (next) next.value = picked ? "0" : "1";
  }

  function setComment(card, comment) {
    card.dataset.comment = comment;
    var flag = card.querySelector(".comment-flag");
    if (flag) flag.hidden = !comment;
    var area = card.querySelector(".photo-comment textarea");
    if (area) area.value = comment;
  }

  /* --- Counter and filters ---------------------------------------------------------------- */

  /* The selection's counter is the server's: each pick answers with what the Booker's extras
   * rule computed (included, extras, total) and the texts to show. Nothing is recomputed here. */
  function showSelection(selection) {
    if (!selection) return;
    setText("[data-count=picked]", selection.picked);
    setText("[data-counter-text]", selection.counter_text);
    document.querySelectorAll("[data-extras-text]").forEach(function (node) {
      node.hidden = !selection.extras_text;
      node.textContent = selection.extras_text || "";
    });
    // A headshot day's leads: each person's status ("2 / 3"), as the server wrote it.
    Object.keys(selection.groups || {}).forEach(function (key) {
      setText('[data-group-status="' + key + '"]', selection.groups[key]);
    });
  }

  /* The server's count, over every photo, loaded or not. */
  function updateCommented(count) {
    if (typeof count === "number") setText("[data-count=commented]", count);
  }

  function setText(selector, value) {
    document.querySelectorAll(selector).forEach(function (node) { node.textContent = value; });
  }

  function currentFilter() {
    var value = new URLSearchParams(window.location.search).get("show");
    return value === "picked" || value === "commented" ? value : "all";
  }

  function matches(card) {
    if (filter === "picked") return isPicked(card);
    if (filter === "commented") return Boolean(card.dataset.comment);
    return true;
  }

  /* The filter links load the page again: the server filters every photo, not only the
   * loaded ones. Here only a card unpicked (or uncommented) under the filter leaves the grid. */
  function applyFilter() {
    loadedCards().forEach(function (card) { card.hidden = !matches(card); });
  }

  /* --- Picks and comments ----------------------------------------------------------------- */

  var busy = {};
  var dialog = root.querySelector("[data-lightbox]");
  var current = null;

  function togglePick(card) {
    var id = card.dataset.id;
    if (busy[id]) return Promise.resolve();
    busy[id] = true;
    // The wanted state is sent, never "toggle": a repeated request cannot flip it back.
    return post(root.dataset.pickUrl, { rush: id, picked: isPicked(card) ? "0" : "1", summary: "1" })
      .then(function (answer) {
        setPicked(card, answer.picked);
        showSelection(answer.selection);
        if (!dialog || !dialog.open) applyFilter();
        if (current === card) showInLightbox();
      })
      .catch(function (error) { showError(error.message); })
      .then(function () { delete busy[id]; });
  }

  function saveComment(card, comment) {
    return post(root.dataset.commentUrl, { rush: card.dataset.id, comment: comment })
      .then(function (answer) {
        setComment(card, answer.comment);
        updateCommented(answer.commented);
        return answer;
      });
  }

  // Delegated: the cards of later pages are handled as those of the first.
  if (!readonly) {
    root.addEventListener("submit", function (event) {
      var form = event.target.closest(".pick-form");
      if (!form) return;
      event.preventDefault();
      togglePick(form.closest("[data-photo]"));
    });
  }

  watchEnd();

  /* --- Lightbox --------------------------------------------------------------------------- */

  if (!dialog || typeof dialog.showModal !== "function") return;  // old browser: links work
  var img = dialog.querySelector("[data-lb-img]");
  var heart = dialog.querySelector("[data-lb-heart]");
  var commentForm = dialog.querySelector("[data-lb-comment]");
  var commentInput = dialog.querySelector("[data-lb-comment-input]");
  var saved = dialog.querySelector("[data-lb-saved]");
  var commentText = dialog.querySelector("[data-lb-comment-text]");
  var sequence = [];  // the photos the client is browsing: the filter as it was when opened

  var offset = grid ? Number(grid.dataset.offset) || 0 : 0;  // a no-JS "page suivante" visit

  function visibleCards() {
    return loadedCards().filter(function (c) { return !c.hidden; });
  }

  function open(card) {
    sequence = visibleCards();
    current = card;
    showInLightbox();
    if (!dialog.open) dialog.showModal();
  }

  function showInLightbox() {
    if (!current) return;
    var index = sequence.indexOf(current);
    img.src = current.dataset.proof;
    img.alt = current.dataset.name;
    dialog.querySelector("[data-lb-name]").textContent = current.dataset.name;
    // The server's count of the photos under the filter, loaded or not.
    var total = grid ? Number(grid.dataset.total) || 0 : 0;
    if (total < offset + sequence.length) total = offset + sequence.length;
    dialog.querySelector("[data-lb-pos]").textContent =
      fill(texts.position || "{index} / {total}", { index: offset + index + 1, total: total });
    if (heart) {
      var picked = isPicked(current);
      heart.setAttribute("aria-pressed", picked ? "true" : "false");
      dialog.querySelector("[data-lb-heart-label]").textContent = picked ? texts.picked : texts.pick;
    }
    if (commentInput && document.activeElement !== commentInput) {
      commentInput.value = current.dataset.comment || "";
    }
    if (saved) saved.textContent = "";
    if (commentText) commentText.textContent = current.dataset.comment || "";
    // Fetch the neighbours now, so a swipe shows the next proof at once.
    [index - 1, index + 1].forEach(function (i) {
      if (sequence[i]) { new Image().src = sequence[i].dataset.proof; }
    });
  }

  function step(delta) {
    if (!current || !sequence.length) return;
    var index = sequence.indexOf(current);
    if (index + delta >= sequence.length && nextLink()) {
      // Past the loaded cards: fetch the next page, then go on (never wrap while more exist).
      loadMore().then(function () {
        var known = sequence;
        sequence = known.concat(visibleCards().filter(function (c) { return known.indexOf(c) < 0; }));
        if (index + delta < sequence.length) go(sequence[index + delta]);
      });
      return;
    }
    if (index + delta < 0 && nextLink()) return;  // the end is not loaded: no wrap backwards
    go(sequence[(index + delta + sequence.length) % sequence.length]);
  }

  function go(next) {
    if (!next || next === current) return;
    flushComment();
    current = next;
    if (commentInput) commentInput.value = current.dataset.comment || "";
    showInLightbox();
  }

  /* A comment typed and not saved is saved when the client moves on, not lost. */
  function flushComment() {
    if (!commentInput || !current) return;
    var text = commentInput.value.trim();
    if (text !== (current.dataset.comment || "")) {
      saveComment(current, text).catch(function (error) { showError(error.message); });
    }
  }

  root.addEventListener("click", function (event) {
    var link = event.target.closest(".photo-open");
    if (!link) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey) return;  // "open in a new tab"
    event.preventDefault();
    open(link.closest("[data-photo]"));
  });

  dialog.querySelector("[data-lb-prev]").addEventListener("click", function () { step(-1); });
  dialog.querySelector("[data-lb-next]").addEventListener("click", function () { step(1); });
  dialog.querySelector("[data-lb-close]").addEventListener("click", function () { dialog.close(); });
  if (heart) heart.addEventListener("click", function () { togglePick(current); });

  if (commentForm) {
    commentForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var card = current;
      saveComment(card, commentInput.value.trim())
        .then(function () { if (current === card && saved) saved.textContent = texts.saved; })
        .catch(function (error) { showError(error.message); });
    });
    commentInput.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        commentForm.requestSubmit();
      }
    });
  }

  dialog.addEventListener("keydown", function (event) {
    var typing = event.target === commentInput;
    if (event.key === "ArrowLeft" && !typing) { event.preventDefault(); step(-1); }
    else if (event.key === "ArrowRight" && !typing) { event.preventDefault(); step(1); }
    // Escape: the <dialog> closes itself.
  });

  dialog.addEventListener("close", function () {
    flushComment();
    var last = current;
    current = null;
    img.removeAttribute("src");
    applyFilter();
    // Back where the client was in the grid.
    if (last && !last.hidden) {
      var link = last.querySelector(".photo-open");
      if (link) link.focus({ preventScroll: false });
    }
  });

  // A tap on the dark backdrop (outside the dialog's box) closes, as on every phone gallery.
  dialog.addEventListener("click", function (event) {
    if (event.target === dialog) dialog.close();
  });

  /* Swipe: a mostly horizontal move of at least 40px on the picture. */
  var stage = dialog.querySelector("[data-lb-stage]");
  var touchX = null;
  var touchY = null;
  stage.addEventListener("touchstart", function (event) {
    if (event.touches.length !== 1) { touchX = null; return; }
    touchX = event.touches[0].clientX;
    touchY = event.touches[0].clientY;
  }, { passive: true });
  stage.addEventListener("touchend", function (event) {
    if (touchX === null) return;
    var dx = event.changedTouches[0].clientX - touchX;
    var dy = event.changedTouches[0].clientY - touchY;
    touchX = null;
    if (Math.abs(dx) >= 40 && Math.abs(dx) > Math.abs(dy) * 1.5) step(dx < 0 ? 1 : -1);
  }, { passive: true });

  applyFilter();
}());
