/* Booké back office: batch uploads with progress, live ingest progress, small helpers.
 *
 * Vanilla JS, no dependency. Every behaviour is an enhancement of plain HTML: without this
 * file the forms still post (finals) and the studio page still shows the state on reload.
 */
(function () {
  "use strict";

  var PARALLEL_UPLOADS = 3; // enough to fill a studio uplink; more only adds contention
  var POLL_MS = 3000;
  var POLL_MS_SLOW = 10000; // after a while without change (no worker running?)

  var T = null;
  function t(key, values) {
    if (T === null) {
      // Read lazily: this file is loaded in <head>, before the page's strings exist.
      var strings = document.getElementById("bo-strings");
      try { T = strings ? JSON.parse(strings.textContent) : {}; } catch (e) { T = {}; }
    }
    var text = T[key] || key;
    if (values) {
      text = text.replace(/%\((\w+)\)s/g, function (_, name) {
        return values[name] === undefined ? "" : String(values[name]);
      });
    }
    return text;
  }

  function humanSize(bytes) {
    var units = ["B", "KB", "MB", "GB"];
    var i = 0;
    while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i++; }
    return (i === 0 ? bytes : bytes.toFixed(1)) + " " + units[i];
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var activeUploads = 0;
  window.addEventListener("beforeunload", function (event) {
    if (activeUploads > 0) {
      event.preventDefault();
      event.returnValue = t("leave");
      return event.returnValue;
    }
  });

  /* ---- Batch upload: one XHR per file, a few in parallel, a bar per file and one for all. */

  function UploadZone(root) {
    this.root = root;
    this.url = root.dataset.url;
    this.mode = root.dataset.mode; // "rushes" or "finals"
    this.field = root.dataset.field;
    this.form = root.querySelector("form");
    this.input = root.querySelector("input[type=file]");
    this.token = root.querySelector("input[name=csrfmiddlewaretoken]").value;
    this.list = root.querySelector(".bo-files");
    this.batch = root.querySelector(".bo-batch");
    this.batchBar = root.querySelector(".bo-batch-bar");
    this.batchText = root.querySelector(".bo-batch-text");
    this.summary = root.querySelector(".bo-upload-summary");
    this.queue = [];
    this.items = [];
    this.running = 0;
    // The first rush of a booked session moves it to "shot": send that one alone, so that
    // parallel first uploads do not race on the session's status.
    this.serialFirst = root.dataset.serialFirst === "1";
    var submit = root.querySelector(".bo-upload-submit");
    if (submit) submit.hidden = true; // files go as soon as they are chosen
    var self = this;
    this.input.addEventListener("change", function () {
      self.add(self.input.files);
      self.input.value = "";
    });
    var drop = root.querySelector(".bo-drop");
    ["dragenter", "dragover"].forEach(function (name) {
      drop.addEventListener(name, function (e) {
        e.preventDefault();
        drop.classList.add("bo-drop-over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      drop.addEventListener(name, function () { drop.classList.remove("bo-drop-over"); });
    });
    drop.addEventListener("drop", function (e) {
      e.preventDefault();
      if (e.dataTransfer && e.dataTransfer.files) self.add(e.dataTransfer.files);
    });
    this.form.addEventListener("submit", function (e) { e.preventDefault(); });
  }

  UploadZone.prototype.add = function (files) {
    if (!files || !files.length) return;
    if (this.isIdle()) this.reset(); // a new batch starts clean
    for (var i = 0; i < files.length; i++) {
      var item = this.row(files[i]);
      this.items.push(item);
      this.queue.push(item);
    }
    this.batch.hidden = false;
    this.update();
    this.pump();
  };

  UploadZone.prototype.isIdle = function () {
    return this.running === 0 && this.queue.length === 0;
  };

  UploadZone.prototype.reset = function () {
    this.items = [];
    this.list.textContent = "";
    this.summary.hidden = true;
    this.summary.textContent = "";
  };

  UploadZone.prototype.row = function (file) {
    var li = el("li", "bo-file bo-file-waiting");
    var name = el("span", "bo-file-name", file.name);
    var size = el("span", "bo-file-size", humanSize(file.size));
    var bar = el("progress", "bo-file-bar");
    bar.max = 100;
    bar.value = 0;
    var state = el("span", "bo-file-state", t("waiting"));
    li.append(name, size, bar, state);
    this.list.appendChild(li);
    return { file: file, li: li, bar: bar, state: state, loaded: 0, done: false, result: null };
  };

  UploadZone.prototype.pump = function () {
    var limit = this.serialFirst ? 1 : PARALLEL_UPLOADS;
    while (this.running < limit && this.queue.length) {
      this.send(this.queue.shift());
    }
  };

  UploadZone.prototype.send = function (item) {
    var self = this;
    var xhr = new XMLHttpRequest();
    var data = new FormData();
    data.append(this.field, item.file, item.file.name);
    this.running++;
    activeUploads++;
    item.loaded = 0;
    item.li.className = "bo-file bo-file-uploading";
    item.state.textContent = t("uploading");
    xhr.open("POST", this.url);
    xhr.setRequestHeader("X-CSRFToken", this.token);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        // The request carries a little multipart overhead beyond the file itself.
        item.loaded = Math.min(item.file.size, e.loaded);
        item.bar.value = Math.round((100 * e.loaded) / e.total);
        self.update();
      }
    });
    xhr.addEventListener("load", function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      if (body === null) {
        self.finish(item, { status: "error", error: t("expired").replace("%s", xhr.status) });
      } else if (self.mode === "finals" && body.results) {
        self.finish(item, body.results[0] || { status: "error", error: body.error });
      } else {
        self.finish(item, body);
      }
    });
    xhr.addEventListener("error", function () {
      self.finish(item, { status: "error", error: t("network"), retry: true });
    });
    xhr.send(data);
  };

  UploadZone.prototype.finish = function (item, result) {
    var self = this;
    this.running--;
    activeUploads--;
    item.done = true;
    item.result = result;
    item.loaded = item.file.size;
    item.bar.value = 100;
    var status = result.status || "error";
    if (status === "created" || status === "duplicate") this.serialFirst = false;
    item.li.className = "bo-file bo-file-" + status;
    var text = t(status);
    if (result.error) text += ": " + result.error;
    if (result.reason) text += ": " + result.reason;
    if (status === "matched" && result.rush) text += " → " + result.rush;
    item.state.textContent = text;
    if (result.retry) {
      var again = el("button", "button bo-file-retry", t("retry"));
      again.type = "button";
      again.addEventListener("click", function () {
        again.remove();
        item.done = false;
        self.queue.push(item);
        self.pump();
      });
      item.li.appendChild(again);
    }
    this.update();
    this.pump();
    if (this.isIdle()) this.finishBatch();
  };

  UploadZone.prototype.update = function () {
    var total = 0, sent = 0, done = 0;
    this.items.forEach(function (item) {
      total += item.file.size;
      sent += item.loaded;
      if (item.done) done++;
    });
    this.batchBar.value = total ? Math.round((100 * sent) / total) : 100;
    this.batchText.textContent = t("batch", {
      done: done, total: this.items.length, sent: humanSize(sent), size: humanSize(total)
    });
  };

  UploadZone.prototype.finishBatch = function () {
    var count = {};
    this.items.forEach(function (item) {
      var status = (item.result && item.result.status) || "error";
      count[status] = (count[status] || 0) + 1;
    });
    ["created", "duplicate", "matched", "unmatched", "refused", "error"].forEach(function (k) {
      count[k] = count[k] || 0;
    });
    this.summary.textContent = "";
    this.summary.appendChild(el("p", "bo-summary-line",
      t(this.mode === "finals" ? "summary_finals" : "summary_rushes", count)));
    if (this.mode === "finals") {
      this.finalsLists();
      // The jobs' statuses changed (in review): offer a fresh list, the summary stays until then.
      var again = el("button", "button", t("refresh"));
      again.type = "button";
      again.addEventListener("click", function () { window.location.reload(); });
      this.summary.appendChild(again);
    }
    this.summary.hidden = false;
    if (this.mode === "rushes") {
      document.dispatchEvent(new CustomEvent("bo:rushes-uploaded"));
    }
  };

  /* The finals' answer, as the result page would give it: attached vs NOT attached. */
  UploadZone.prototype.finalsLists = function () {
    var self = this;
    [["unmatched", "unattached_title", "bo-unmatched"], ["refused", "refused_title", "bo-refused"],
     ["matched", "attached_title", "bo-matched"]].forEach(function (spec) {
      var items = self.items.filter(function (i) { return i.result && i.result.status === spec[0]; });
      if (!items.length) return;
      var box = el("div", spec[2]);
      box.appendChild(el("h3", "", t(spec[1])));
      var ul = el("ul");
      items.forEach(function (i) {
        var text = i.file.name;
        if (i.result.rush) text += " → " + i.result.rush;
        if (i.result.reason) text += " — " + i.result.reason;
        ul.appendChild(el("li", "", text));
      });
      box.appendChild(ul);
      self.summary.appendChild(box);
    });
  };

  /* ---- Ingest progress: poll while any rush is pending or processing. */

  function IngestProgress(root) {
    this.root = root;
    this.url = root.dataset.progressUrl;
    this.grid = root.querySelector("[data-rush-grid]");
    this.template = document.getElementById("bo-rush-template");
    this.bar = root.querySelector(".bo-ingest-bar");
    this.note = root.querySelector("[data-ingest-note]");
    this.noteText = this.note ? this.note.textContent : "";
    this.timer = null;
    this.sawWork = false;
    this.quietPolls = 0;
    this.last = "";
    var self = this;
    if (parseInt(root.dataset.inFlight || "0", 10) > 0) this.start();
    document.addEventListener("bo:rushes-uploaded", function () { self.start(); });
  }

  IngestProgress.prototype.start = function () {
    this.quietPolls = 0;
    if (this.timer === null) this.poll();
  };

  IngestProgress.prototype.schedule = function () {
    var self = this;
    var wait = this.quietPolls > 20 ? POLL_MS_SLOW : POLL_MS;
    this.timer = window.setTimeout(function () { self.timer = null; self.poll(); }, wait);
  };

  IngestProgress.prototype.poll = function () {
    var self = this;
    this.timer = -1; // a request is in flight
    fetch(this.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) { self.timer = null; self.render(data); })
      .catch(function () { self.timer = null; self.quietPolls++; self.schedule(); });
  };

  IngestProgress.prototype.render = function (data) {
    var self = this;
    Object.keys(data.counts).forEach(function (key) {
      document.querySelectorAll('[data-count="' + key + '"]').forEach(function (node) {
        node.textContent = data.counts[key];
      });
    });
    this.bar.max = Math.max(1, data.counts.total);
    this.bar.value = data.counts.ready + data.counts.failed;
    if (this.note) {
      if (data.in_flight > 0) {
        this.note.textContent = this.noteText;
        this.note.className = "bo-ingest-note";
      }
      this.note.hidden = data.in_flight === 0;
    }
    var empty = this.grid.querySelector("[data-empty]");
    if (empty && data.rushes.length) empty.remove();
    data.rushes.forEach(function (rush) { self.renderRush(rush); });
    this.renderSession(data);
    var signature = JSON.stringify(data.counts);
    this.quietPolls = signature === this.last ? this.quietPolls + 1 : 0;
    this.last = signature;
    if (data.in_flight > 0) {
      this.sawWork = true;
      this.schedule();
    } else if (this.sawWork && this.note) {
      // No reload: the upload summary above (duplicates, errors) must stay on screen.
      this.note.textContent = t("all_done");
      this.note.className = "bo-ingest-done";
      this.note.hidden = false;
    }
  };

  /* The first upload moves a booked session to "shot": follow it without a reload. */
  IngestProgress.prototype.renderSession = function (data) {
    var studio = document.getElementById("studio");
    studio.dataset.sessionStatus = data.session_status;
    var badge = document.querySelector("[data-session-badge] .bo-badge");
    if (badge) {
      badge.className = "bo-badge bo-session-" + data.session_status;
      badge.textContent = data.session_status_label;
    }
    var steps = document.querySelectorAll("[data-step]");
    var here = -1;
    steps.forEach(function (li, i) { if (li.dataset.step === data.session_status) here = i; });
    if (here >= 0) {
      steps.forEach(function (li, i) {
        li.className = "bo-step bo-step-" + (i < here ? "done" : i === here ? "current" : "todo");
      });
    }
    document.querySelectorAll("[data-show-when-status]").forEach(function (node) {
      node.hidden = node.dataset.showWhenStatus !== data.session_status;
    });
    document.querySelectorAll("[data-show-when-failed]").forEach(function (node) {
      node.hidden = data.counts.failed === 0;
    });
    document.querySelectorAll("[data-needs-idle]").forEach(function (b) {
      b.disabled = data.in_flight > 0;
    });
  };

  IngestProgress.prototype.renderRush = function (rush) {
    var li = this.grid.querySelector('[data-rush-id="' + rush.id + '"]');
    if (!li) {
      li = this.template.content.firstElementChild.cloneNode(true);
      li.dataset.rushId = rush.id;
      li.querySelector(".bo-rush-name").textContent = rush.name;
      li.querySelector(".bo-rush-name").title = rush.name;
      li.querySelector(".bo-rush-ext").textContent = rush.name.slice(-4).toUpperCase();
      this.grid.appendChild(li);
    }
    li.className = "bo-rush bo-rush-" + rush.status;
    var label = li.querySelector("[data-rush-label]");
    label.className = "bo-badge bo-ingest-" + rush.status;
    label.textContent = rush.label;
    li.querySelector("[data-rush-reason]").textContent = rush.reason || "";
    var box = li.querySelector(".bo-rush-img");
    if (rush.thumb && !box.querySelector("img")) {
      var img = el("img");
      img.src = rush.thumb;
      img.alt = "";
      img.loading = "lazy";
      box.textContent = "";
      box.appendChild(img);
    }
  };

  /* ---- Small helpers: confirmations and copy-to-clipboard. */

  document.addEventListener("submit", function (e) {
    var button = e.submitter || e.target.querySelector("[data-confirm]");
    var question = button && button.dataset ? button.dataset.confirm : null;
    if (question && !window.confirm(question)) e.preventDefault();
  });

  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-copy]");
    if (!button) return;
    var field = document.querySelector(button.dataset.copy);
    if (!field) return;
    field.select();
    var done = function () {
      var before = button.textContent;
      button.textContent = t("copied");
      window.setTimeout(function () { button.textContent = before; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done);
    } else {
      document.execCommand("copy"); // plain-http back office: the older API still works
      done();
    }
  });

  function init() {
    document.querySelectorAll("[data-upload]").forEach(function (root) { new UploadZone(root); });
    document.querySelectorAll("[data-ingest]").forEach(function (root) {
      new IngestProgress(root);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
