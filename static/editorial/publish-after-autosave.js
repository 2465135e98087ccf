/* Wagtail 8 autosaves an editor form in the background, about a second after the last change.
   On a new page, that first autosave creates the page. If the editor clicks "Publier" while it
   is on its way, the publish also goes to the creation view, and one of the two requests fails
   on the slug the other just took: "Erreur du serveur", or "ce slug est déjà utilisé" about the
   editor's own page. (On an existing page the two requests race for the same revision.)

   So the editor's own submit waits for a running autosave to finish (the form then points at the
   page's edit view) and switches autosave off, so that none starts behind it. Nothing is lost:
   the submit carries the whole form, as it would have without autosave. */
(function () {
  "use strict";

  var ACTIVE = "data-w-autosave-active-value";
  var busy = new WeakSet(); // forms with an autosave pending or in flight
  var waiting = new WeakMap(); // form -> the action the editor clicked ({name, value} or null)

  function autosaved(form) {
    return (
      form instanceof HTMLFormElement &&
      (form.getAttribute("data-controller") || "").split(/\s+/).indexOf("w-autosave") !== -1
    );
  }

  // Wagtail disabled the clicked button when it started its spinner, and a disabled button
  // sends nothing: its name and value ride in a hidden field for this one submit.
  function submitAs(form, clicked) {
    if (!clicked) return form.requestSubmit();
    var action = document.createElement("input");
    action.type = "hidden";
    action.name = clicked.name;
    action.value = clicked.value;
    action.setAttribute("data-clicked", "");
    form.appendChild(action);
    try {
      form.requestSubmit();
    } finally {
      // The submit has read the form by now; a later "Enregistrer" must not publish.
      action.remove();
    }
  }

  function clickedIn(event) {
    var button = event.submitter;
    if (button && button.name) return { name: button.name, value: button.value };
    var carried = event.target.querySelector("input[data-clicked]");
    return carried ? { name: carried.name, value: carried.value } : null;
  }

  document.addEventListener("w-autosave:save", function (event) {
    if (autosaved(event.target) && !event.defaultPrevented) busy.add(event.target);
  });

  function settled(event) {
    var form = event.target;
    if (!autosaved(form)) return;
    busy.delete(form);
    if (!waiting.has(form)) return;
    var clicked = waiting.get(form);
    waiting.delete(form);
    // After the controller's own bookkeeping, which may start one more save for the changes
    // made meanwhile: the submit then waits for that one too.
    setTimeout(function () {
      submitAs(form, clicked);
    }, 0);
  }
  document.addEventListener("w-autosave:success", settled);
  document.addEventListener("w-autosave:error", settled);

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!autosaved(form)) return;
      if (busy.has(form)) {
        event.preventDefault();
        event.stopImmediatePropagation();
        waiting.set(form, clickedIn(event));
        return;
      }
      var before = form.getAttribute(ACTIVE);
      form.setAttribute(ACTIVE, "false");
      // A submit that something else stops (a confirmation, a validation) leaves the editor on
      // the page: autosave comes back as it was.
      setTimeout(function () {
        if (!event.defaultPrevented) return;
        if (before === null) form.removeAttribute(ACTIVE);
        else form.setAttribute(ACTIVE, before);
      }, 0);
    },
    true
  );
})();
