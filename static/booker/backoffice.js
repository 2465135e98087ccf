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

  /* ---- Batch upload: a few files in parallel, a bar per file and one for all. Finals go one
   * multipart POST per file; rushes through the resumable uploader further down. */

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
    // Rushes: files waiting for their fingerprint, the one being read, parts on the wire.
    this.hashQueue = [];
    this.hashing = null;
    this.worker = null;
    this.lastId = 0;
    this.partsInFlight = 0;
    this.batchDone = false;
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
    if (this.mode === "rushes") return this.addRushes(files);
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
    item.loaded = item.file.size;
    item.bar.value = 100;
    this.render(item, result);
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

  /* A file's final state in its row. */
  UploadZone.prototype.render = function (item, result) {
    item.done = true;
    item.result = result;
    var status = result.status || "error";
    item.li.className = "bo-file bo-file-" + status;
    var text = t(status);
    if (result.error) text += ": " + result.error;
    if (result.reason) text += ": " + result.reason;
    if (status === "matched" && result.rush) text += " → " + result.rush;
    item.state.textContent = text;
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

  /* ---- Rushes: resumable uploads that need not go through the studio (booker.uploads).
   *
   * Each file is fingerprinted first (sha256, in a Web Worker reading a few MB at a time),
   * then announced: the studio answers "duplicate" (nothing is sent), or with an upload and
   * what it already has of it (resume after a closed tab). With the originals on S3 the parts
   * go straight to S3 on presigned URLs, PARTS_IN_FLIGHT at a time over FILES_IN_PARALLEL
   * files; with local storage the chunks go to the studio, in order. A dropped part is sent
   * again after a pause; after MAX_ATTEMPTS the file stops with a Retry button and the rest
   * of the batch goes on. */

  var FILES_IN_PARALLEL = 2;
  var PARTS_IN_FLIGHT = 4; // over all files: an uplink is filled by a few streams
  var MAX_ATTEMPTS = 5;
  var BACKOFF_MS = 1000; // doubled after each failure of the same part
  var URL_BATCH = 8;
  var URL_MAX_AGE_MS = 10 * 60 * 1000; // presigned for 15 minutes: ask again well before

  function percent(part, whole) {
    return whole ? Math.floor((100 * part) / whole) : 100;
  }

  UploadZone.prototype.addRushes = function (files) {
    if (this.rushesIdle()) this.reset();
    this.batchDone = false;
    for (var i = 0; i < files.length; i++) {
      var item = this.row(files[i]);
      item.phase = "queued";
      item.id = ++this.lastId;
      this.items.push(item);
      this.hashQueue.push(item);
      activeUploads++;
    }
    this.batch.hidden = false;
    this.update();
    this.pumpRushes();
  };

  UploadZone.prototype.rushesIdle = function () {
    return this.items.every(function (i) { return i.phase === "done" || i.phase === "failed"; });
  };

  UploadZone.prototype.pumpRushes = function () {
    var self = this;
    if (!this.hashing && this.hashQueue.length) this.hash(this.hashQueue.shift());
    var busy = this.items.filter(function (i) {
      return i.phase === "starting" || i.phase === "sending" || i.phase === "completing";
    });
    var limit = this.serialFirst ? 1 : FILES_IN_PARALLEL;
    this.items.forEach(function (item) {
      if (busy.length < limit && item.phase === "hashed") {
        busy.push(item);
        self.announce(item);
      }
    });
    // Part slots go to the file with the fewest parts in flight: files progress together.
    for (;;) {
      var sending = busy.filter(function (i) { return i.phase === "sending"; });
      sending.forEach(function (item) {
        if (item.mode === "s3") self.askUrls(item);
        if (!item.pending.length && !item.inFlight && !item.waiting) self.complete(item);
      });
      if (this.partsInFlight >= PARTS_IN_FLIGHT) break;
      var ready = sending.filter(function (i) { return i.phase === "sending" && self.nextPart(i); });
      if (!ready.length) break;
      ready.sort(function (a, b) { return a.inFlight - b.inFlight; });
      this.sendPart(ready[0], this.nextPart(ready[0]));
    }
    if (this.items.length && this.rushesIdle() && !this.batchDone) {
      this.batchDone = true;
      this.finishBatch();
    }
  };

  /* booker.uploads.part_size_for: the studio's part size, grown so that a huge file fits
   * in S3's 10,000 parts. The parts are fingerprinted with it before the file is announced. */
  UploadZone.prototype.partSizeFor = function (size) {
    var MiB = 1024 * 1024, wanted = Number(this.root.dataset.partSize) || 16 * MiB;
    var needed = Math.ceil(size / 10000);
    return needed > wanted ? Math.ceil(needed / MiB) * MiB : wanted;
  };

  UploadZone.prototype.hash = function (item) {
    var self = this;
    if (!this.worker) {
      this.worker = new Worker(this.root.dataset.hashWorker);
      this.worker.addEventListener("message", function (e) {
        var current = self.hashing;
        if (!current || e.data.id !== current.id) return;
        if (e.data.progress !== undefined) {
          current.state.textContent = t("hashing", { pct: percent(e.data.progress, current.file.size) });
          return;
        }
        self.hashing = null;
        if (e.data.error) {
          self.fail(current, e.data.error, true);
        } else {
          current.sha256 = e.data.sha256;
          current.partSha256 = e.data.parts;
          current.phase = "hashed";
          current.state.textContent = t("queued");
        }
        self.pumpRushes();
      });
      this.worker.addEventListener("error", function (e) {
        e.preventDefault();
        var current = self.hashing;
        self.hashing = null;
        self.worker = null;
        if (current) self.fail(current, e.message || t("error"), true);
        self.pumpRushes();
      });
    }
    this.hashing = item;
    item.phase = "hashing";
    item.li.className = "bo-file bo-file-uploading";
    item.state.textContent = t("hashing", { pct: 0 });
    this.worker.postMessage({ id: item.id, file: item.file, partSize: this.partSizeFor(item.file.size) });
  };

  /* A JSON request to the studio; `done(status, body)` with body null when not JSON, and
   * status 0 when the request did not reach it. */
  UploadZone.prototype.api = function (method, url, body, done) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.setRequestHeader("X-CSRFToken", this.token);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.addEventListener("load", function () {
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      done(xhr.status, data);
    });
    xhr.addEventListener("error", function () { done(0, null); });
    if (body instanceof Blob) {
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.send(body);
      return xhr;
    }
    if (body !== null) xhr.setRequestHeader("Content-Type", "application/json");
    xhr.send(body === null ? null : JSON.stringify(body));
    return xhr;
  };

  /* A refusal or a broken answer from the studio: the file stops with its reason. */
  UploadZone.prototype.refused = function (item, status, body) {
    // 503 with its reason (the file storage is down): that reason, and Retry once it is back.
    if (status >= 500 && body && body.error) return this.fail(item, body.error, true);
    if (status === 0 || status >= 500) return this.fail(item, t("network"), true);
    // 400 (a request the studio cannot read) and 413 (a file above the studio's cap) would
    // be refused again: the reason is shown without a Retry button.
    if (body && body.error) return this.fail(item, body.error, status !== 400 && status !== 413);
    this.fail(item, t("expired").replace("%s", status), true);
  };

  UploadZone.prototype.announce = function (item) {
    var self = this;
    item.phase = "starting";
    item.state.textContent = t("uploading");
    this.api("POST", this.url, { filename: item.file.name, size: item.file.size,
                                 sha256: item.sha256, part_sha256: item.partSha256 },
             function (status, body) {
      if (!body || (status !== 200 && status !== 201)) return self.refused(item, status, body);
      if (body.status === "duplicate") return self.done(item, body);
      var count = Math.max(1, Math.ceil(item.file.size / body.part_size));
      item.upload = body.upload;
      item.mode = body.mode;
      item.partSize = body.part_size;
      item.parts = {};
      item.urls = {};
      item.attempts = {};
      item.partLoaded = {};
      item.inFlight = 0;
      item.xhrs = [];
      item.waiting = 0; // parts paused before a retry
      item.askingUrls = false;
      item.pending = [];
      if (body.mode === "s3") {
        var have = {};
        item.baseLoaded = 0;
        body.parts.forEach(function (p) { have[p.number] = true; item.baseLoaded += p.size; });
        for (var n = 1; n <= count; n++) if (!have[n]) item.pending.push(n);
      } else {
        item.offset = body.received;
        item.baseLoaded = body.received;
        if (body.received < item.file.size) item.pending.push("chunk");
      }
      item.phase = "sending";
      item.loaded = item.baseLoaded;
      item.bar.value = percent(item.loaded, item.file.size);
      item.state.textContent = item.baseLoaded
        ? t("resuming", { pct: percent(item.baseLoaded, item.file.size) }) : t("uploading");
      self.update();
      self.pumpRushes();
    });
  };

  UploadZone.prototype.uploadUrl = function (item, step) {
    return this.url + item.upload + "/" + (step ? step + "/" : "");
  };

  /* Presigned URLs for the next few parts, asked before they are needed. */
  UploadZone.prototype.askUrls = function (item) {
    var self = this, now = Date.now();
    if (item.askingUrls) return;
    var numbers = item.pending.filter(function (n) {
      return !item.urls[n] || now - item.urls[n].at > URL_MAX_AGE_MS;
    }).slice(0, URL_BATCH);
    var usable = item.pending.length - numbers.length;
    if (!numbers.length || usable > PARTS_IN_FLIGHT) return;
    item.askingUrls = true;
    this.api("POST", this.uploadUrl(item, "parts"), { numbers: numbers }, function (status, body) {
      item.askingUrls = false;
      if (item.phase !== "sending") return;
      if (!body || status !== 200 || !body.urls) return self.refused(item, status, body);
      Object.keys(body.urls).forEach(function (n) {
        item.urls[n] = { url: body.urls[n], at: now };
      });
      self.pumpRushes();
    });
  };

  UploadZone.prototype.nextPart = function (item) {
    if (!item.pending.length) return null;
    if (item.mode === "local") return item.inFlight ? null : "chunk"; // chunks go in order
    var now = Date.now();
    for (var i = 0; i < item.pending.length; i++) {
      var n = item.pending[i], url = item.urls[n];
      if (url && now - url.at <= URL_MAX_AGE_MS) return n;
    }
    return null;
  };

  UploadZone.prototype.sendPart = function (item, n) {
    var self = this, xhr, start, end;
    item.pending.splice(item.pending.indexOf(n), 1);
    item.inFlight++;
    this.partsInFlight++;
    if (item.mode === "s3") {
      start = (n - 1) * item.partSize;
      end = Math.min(start + item.partSize, item.file.size);
      xhr = new XMLHttpRequest();
      xhr.open("PUT", item.urls[n].url);
      // Signed into the URL: S3 refuses a part whose bytes do not match it.
      xhr.setRequestHeader("x-amz-checksum-sha256", item.partSha256[n - 1]);
      xhr.send(item.file.slice(start, end));
    } else {
      start = item.offset;
      end = Math.min(start + item.partSize, item.file.size);
      xhr = this.api("PUT", this.uploadUrl(item, "chunk") + "?offset=" + start,
                     item.file.slice(start, end), function () {});
    }
    item.xhrs.push(xhr);
    xhr.upload.addEventListener("progress", function (e) {
      item.partLoaded[n] = Math.min(e.loaded, end - start);
      self.progress(item);
    });
    var settle = function (outcome) {
      item.xhrs.splice(item.xhrs.indexOf(xhr), 1);
      item.inFlight--;
      self.partsInFlight--;
      delete item.partLoaded[n];
      if (item.phase !== "sending") { self.pumpRushes(); return; } // stopped meanwhile
      outcome();
      self.progress(item);
      self.pumpRushes();
    };
    xhr.addEventListener("load", function () {
      settle(function () {
        if (item.mode === "s3") {
          if (xhr.status === 200) {
            item.baseLoaded += end - start;
            delete item.urls[n];
            return;
          }
          delete item.urls[n]; // expired or refused: a fresh URL, then a second try
          return self.again(item, n, "HTTP " + xhr.status);
        }
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if ((xhr.status === 200 || xhr.status === 409) && body && body.received !== undefined) {
          // 409: the studio has another length than we thought; go on from what it has.
          item.offset = item.baseLoaded = body.received;
          if (xhr.status === 200) item.attempts = {};
          if (item.offset < item.file.size) item.pending.push("chunk");
          return;
        }
        if (xhr.status >= 500) return self.again(item, n, "HTTP " + xhr.status);
        self.refused(item, xhr.status, body);
      });
    });
    xhr.addEventListener("error", function () {
      settle(function () { self.again(item, n, t("network")); });
    });
    xhr.addEventListener("abort", function () { settle(function () {}); });
  };

  /* A part that did not arrive: wait (1 s, 2 s, 4 s…) and send it again, or give up. */
  UploadZone.prototype.again = function (item, n, why) {
    var self = this;
    item.attempts[n] = (item.attempts[n] || 0) + 1;
    if (item.attempts[n] >= MAX_ATTEMPTS) {
      return this.fail(item, t("gave_up") + " (" + why + ")", true);
    }
    item.waiting++;
    item.state.textContent = t("retrying", { n: item.attempts[n], max: MAX_ATTEMPTS - 1 });
    window.setTimeout(function () {
      item.waiting--;
      if (item.phase !== "sending") return;
      item.pending.unshift(n);
      item.state.textContent = t("uploading");
      self.pumpRushes();
    }, BACKOFF_MS * Math.pow(2, item.attempts[n] - 1));
  };

  UploadZone.prototype.progress = function (item) {
    var moving = 0;
    Object.keys(item.partLoaded).forEach(function (n) { moving += item.partLoaded[n]; });
    item.loaded = Math.min(item.file.size, item.baseLoaded + moving);
    item.bar.value = percent(item.loaded, item.file.size);
    this.update();
  };

  UploadZone.prototype.complete = function (item) {
    var self = this;
    item.phase = "completing";
    item.state.textContent = t("completing");
    this.api("POST", this.uploadUrl(item, "complete"), {}, function (status, body) {
      if (body && (status === 200 || status === 201)) return self.done(item, body);
      self.refused(item, status, body);
    });
  };

  UploadZone.prototype.done = function (item, result) {
    item.phase = "done";
    item.loaded = item.file.size;
    item.bar.value = 100;
    activeUploads--;
    if (result.status === "created" || result.status === "duplicate") this.serialFirst = false;
    this.render(item, result);
    if (result.status === "created") document.dispatchEvent(new CustomEvent("bo:rushes-uploaded"));
    this.update();
    this.pumpRushes();
  };

  /* The file stops with its reason; Retry starts it again (the studio says what it has). */
  UploadZone.prototype.fail = function (item, message, retry) {
    var self = this;
    if (item.phase === "done" || item.phase === "failed") return;
    var hashed = Boolean(item.sha256);
    item.phase = "failed";
    (item.xhrs || []).slice().forEach(function (xhr) { xhr.abort(); });
    activeUploads--;
    this.render(item, { status: "error", error: message });
    if (retry) {
      var again = el("button", "button bo-file-retry", t("retry"));
      again.type = "button";
      again.addEventListener("click", function () {
        again.remove();
        activeUploads++;
        self.batchDone = false;
        item.done = false;
        item.result = null;
        item.li.className = "bo-file bo-file-waiting";
        item.state.textContent = t("waiting");
        if (hashed) {
          item.phase = "hashed";
        } else {
          item.phase = "queued";
          self.hashQueue.push(item);
        }
        self.update();
        self.pumpRushes();
      });
      item.li.appendChild(again);
    }
    this.update();
    this.pumpRushes();
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


  /* ---- Curation: a proof dragged to its place among its set's photos, with the mouse or
   * the keyboard (its handle: Space or Enter takes it, the arrows move it, Space or Enter
   * puts it down, Escape puts it back). One POST per drop (place, index in its set); the
   * ↑ ↓ buttons stay, and are all there is without this file. */
  function CurationGrid(grid) {
    this.grid = grid;
    this.url = grid.dataset.curationUrl;
    this.live = document.querySelector("[data-curation-live]");
    this.held = null;
    var self = this;
    grid.querySelectorAll("[data-proof]").forEach(function (item) {
      var handle = item.querySelector("[data-drag-handle]");
      if (!handle) return;
      handle.hidden = false;
      item.draggable = true;
      item.addEventListener("dragstart", function (e) {
        self.start(item);
        e.dataTransfer.effectAllowed = "move";
        e.dataTransfer.setData("text/plain", item.dataset.proof);
      });
      item.addEventListener("dragend", function () { self.drop(); });
      handle.addEventListener("keydown", function (e) { self.key(item, handle, e); });
      handle.addEventListener("click", function (e) { e.preventDefault(); });
    });
    grid.addEventListener("dragover", function (e) {
      if (!self.held) return;
      var over = e.target.closest("[data-proof]");
      if (!over || over === self.held.item || over.dataset.set !== self.held.item.dataset.set) {
        return;
      }
      e.preventDefault(); // a drop here is allowed: same set
      var box = over.getBoundingClientRect();
      var after = (e.clientX - box.left) > box.width / 2;
      over.parentNode.insertBefore(self.held.item, after ? over.nextSibling : over);
    });
    grid.addEventListener("drop", function (e) { if (self.held) e.preventDefault(); });
  }

  CurationGrid.prototype.siblings = function (item) {
    return Array.prototype.filter.call(this.grid.querySelectorAll("[data-proof]"),
      function (other) { return other.dataset.set === item.dataset.set; });
  };

  CurationGrid.prototype.start = function (item) {
    this.held = { item: item, index: this.siblings(item).indexOf(item),
                  next: item.nextSibling };
    item.classList.add("bo-proof-held");
  };

  CurationGrid.prototype.say = function (key, values) {
    if (this.live) this.live.textContent = t(key, values);
  };

  CurationGrid.prototype.position = function (item) {
    var all = this.siblings(item);
    return { n: all.indexOf(item) + 1, total: all.length, name: item.dataset.name };
  };

  CurationGrid.prototype.cancel = function () {
    var held = this.held;
    this.held = null;
    held.item.classList.remove("bo-proof-held");
    held.item.parentNode.insertBefore(held.item, held.next);
    this.say("curation_cancelled", this.position(held.item));
  };

  CurationGrid.prototype.drop = function () {
    var held = this.held;
    if (!held) return;
    this.held = null;
    held.item.classList.remove("bo-proof-held");
    var index = this.siblings(held.item).indexOf(held.item);
    if (index === held.index) return;
    var self = this;
    var body = new FormData();
    body.append("place", held.item.dataset.proof);
    body.append("index", String(index));
    fetch(this.url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() },
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) throw new Error(answer.error || t("error"));
        self.say("curation_dropped", self.position(held.item));
      });
    }).catch(function (error) {
      // The page and the studio disagree now: the studio's order is the truth.
      window.alert(error.message);
      window.location.reload();
    });
  };

  CurationGrid.prototype.key = function (item, handle, e) {
    var held = this.held && this.held.item === item;
    if (e.key === " " || e.key === "Enter") {
      e.preventDefault();
      if (held) {
        this.drop();
      } else {
        this.start(item);
        this.say("curation_grabbed", this.position(item));
      }
      handle.setAttribute("aria-pressed", held ? "false" : "true");
      return;
    }
    if (!held) return;
    if (e.key === "Escape") {
      e.preventDefault();
      this.cancel();
      handle.setAttribute("aria-pressed", "false");
      handle.focus();
      return;
    }
    var step = { ArrowUp: -1, ArrowLeft: -1, ArrowDown: 1, ArrowRight: 1 }[e.key];
    if (!step) return;
    e.preventDefault();
    var all = this.siblings(item);
    var to = all.indexOf(item) + step;
    if (to < 0 || to >= all.length) return;
    var target = all[to];
    target.parentNode.insertBefore(item, step < 0 ? target : target.nextSibling);
    handle.focus();
    this.say("curation_moving", this.position(item));
  };

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function init() {
    document.querySelectorAll("[data-curation-url]").forEach(function (grid) {
      new CurationGrid(grid);
    });
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
