/* A page from the page cache is the same for everyone: an anonymous visitor's. When it was
   served to someone logged in or with a basket, the server set the booke_visitor cookie; their
   own bits then come from the visitor fragment (editorial/site/views.py): the header's account
   part with their basket's count, the CSRF token their forms need, who they comment as.
   Without JavaScript they read the generic header. */
(function () {
  "use strict";
  var nav = document.querySelector("[data-visitor]");
  if (!nav || document.cookie.split("; ").indexOf("booke_visitor=1") < 0) return;

  function forget() {
    document.cookie = "booke_visitor=; max-age=0; path=/; samesite=lax";
  }

  function sameOrigin(form) {
    try {
      return new URL(form.action, window.location.href).origin === window.location.origin;
    } catch (error) {
      return false;
    }
  }

  function addToken(token) {
    // Never to a form posting elsewhere: the token would leave the site.
    document.querySelectorAll("form").forEach(function (form) {
      if ((form.method || "").toLowerCase() !== "post" || !sameOrigin(form)) return;
      if (form.querySelector("input[name=csrfmiddlewaretoken]")) return;
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "csrfmiddlewaretoken";
      input.value = token;
      form.insertBefore(input, form.firstChild);
    });
  }

  function commentAs(text) {
    var fields = document.querySelector(".comment-form .comment-fields");
    if (!fields) return;
    var note = document.createElement("p");
    note.className = "muted";
    note.textContent = text;
    fields.parentNode.replaceChild(note, fields);
  }

  fetch(nav.dataset.visitor, {credentials: "same-origin", headers: {"Accept": "application/json"}})
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (bits) {
      if (!bits) return;
      if (!bits.personal) {
        forget();
        return;
      }
      var template = document.createElement("template");
      template.innerHTML = bits.account_nav.trim();
      var mine = template.content.firstElementChild;
      if (mine) nav.replaceWith(mine);
      if (bits.csrf_token) addToken(bits.csrf_token);
      if (bits.commenting_as) commentAs(bits.commenting_as);
    })
    .catch(function () {});
})();
