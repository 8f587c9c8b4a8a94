/*
 * The editor's Save waits for an autosave in flight (issue 21).
 *
 * Wagtail 8 autosaves edit forms: a background POST to the form's action. On a create view
 * that POST creates the object, and only when its answer arrives does Wagtail point the form
 * at the new object's edit view. A Save pressed while the autosave is on its way therefore
 * posts to the create view again: a second quiz, or a second course page that collides on
 * its slug (a 500 from the database). And Draftail copies what was typed into its hidden
 * field only 250 ms after the last keystroke, so a quick Save sends the text as it was before.
 *
 * So, on every submit of an editor form: Draftail's pending text is written into the form
 * first; when an autosave is in flight the submit is held and made again once the autosave
 * has answered (the form then points at the edit view), with the same button; and once a
 * submit goes through, autosave stops, so no background save races the real one.
 */
(function () {
  "use strict";

  var HOLD_AT_MOST_MS = 30000;
  var pending = new WeakMap(); // form -> true while an autosave request is in flight
  var held = new WeakMap(); // form -> {submitter, timer}

  function editorForm(node) {
    var form = node && node.closest ? node.closest("form[data-edit-form]") : null;
    return form && /\bw-autosave\b/.test(form.getAttribute("data-controller") || "") ? form : null;
  }

  function flushDraftail(form) {
    form.querySelectorAll("input").forEach(function (input) {
      var editor = input.draftailEditor;
      if (editor && typeof editor.saveState === "function") {
        editor.saveState();
      }
    });
  }

  function sameButton(form, submitter) {
    if (!submitter) return null;
    if (submitter.isConnected && submitter.form === form) return submitter;
    // Hydration may have replaced the buttons: find the one with the same name and value.
    var buttons = form.querySelectorAll("button[type=submit], input[type=submit]");
    for (var i = 0; i < buttons.length; i += 1) {
      if (buttons[i].name === submitter.name && buttons[i].value === submitter.value) {
        return buttons[i];
      }
    }
    return null;
  }

  function release(form, force) {
    var waiting = held.get(form);
    if (!waiting) return;
    // Wagtail starts the next autosave as soon as one answers when the form changed while
    // it was on its way: then the Save waits for that one too.
    if (pending.get(form) && !force) return;
    held.delete(form);
    window.clearTimeout(waiting.timer);
    pending.delete(form);
    var button = sameButton(form, waiting.submitter);
    if (button) {
      form.requestSubmit(button);
    } else {
      form.requestSubmit();
    }
  }

  document.addEventListener("w-autosave:save", function (event) {
    var form = editorForm(event.target);
    if (!form) return;
    pending.set(form, true);
    // A cancelled autosave sends nothing and will not answer.
    window.setTimeout(function () {
      if (event.defaultPrevented) {
        pending.delete(form);
        release(form);
      }
    }, 0);
  });

  function answered(event) {
    var form = editorForm(event.target);
    if (!form) return;
    pending.delete(form);
    // After Wagtail's own handlers: the form points at the edit view by now.
    window.setTimeout(function () {
      release(form);
    }, 0);
  }
  document.addEventListener("w-autosave:success", answered);
  document.addEventListener("w-autosave:error", answered);

  document.addEventListener(
    "submit",
    function (event) {
      var form = editorForm(event.target);
      if (!form) return;
      flushDraftail(form);
      if (pending.get(form)) {
        event.preventDefault();
        event.stopImmediatePropagation();
        if (!held.has(form)) {
          held.set(form, {
            submitter: event.submitter,
            timer: window.setTimeout(function () {
              release(form, true);
            }, HOLD_AT_MOST_MS),
          });
        }
        return;
      }
      // The real save goes; no autosave may start behind it.
      form.setAttribute("data-w-autosave-active-value", "false");
    },
    true
  );
})();
