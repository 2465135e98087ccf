/* SHA-256 of a File and of each of its upload parts, read a part (16 MiB) at a time: the
 * studio's uploader runs this as a Web Worker (post {file, partSize}, receive {progress}
 * messages then {sha256, parts}), so a 80 MB RAW is never whole in memory and the page stays
 * responsive. crypto.subtle.digest() cannot be fed in pieces, hence
 * this implementation (FIPS 180-4). Loaded as a plain script it only defines BookeSha256
 * (tests/browser checks it against Python's hashlib).
 */
(function (scope) {
  "use strict";

  var K = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ]);

  function Sha256() {
    this.h = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                             0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    this.w = new Int32Array(64);
    this.tail = new Uint8Array(64); // bytes waiting for a full 64-byte block
    this.tailLength = 0;
    this.length = 0; // bytes hashed so far; a Number is exact up to 2^53
  }

  /* Compress the 64-byte blocks of `d` from `p` to `end` (end - p a multiple of 64). */
  Sha256.prototype.blocks = function (d, p, end) {
    var w = this.w, h = this.h;
    var a, b, c, e, f, g, hh, dd, i, s0, s1, t1, t2, x, y;
    for (; p < end; p += 64) {
      for (i = 0; i < 16; i++) {
        x = p + 4 * i;
        w[i] = (d[x] << 24) | (d[x + 1] << 16) | (d[x + 2] << 8) | d[x + 3];
      }
      for (i = 16; i < 64; i++) {
        x = w[i - 15];
        y = w[i - 2];
        s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      a = h[0]; b = h[1]; c = h[2]; dd = h[3]; e = h[4]; f = h[5]; g = h[6]; hh = h[7];
      for (i = 0; i < 64; i++) {
        s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        t1 = (hh + s1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        hh = g; g = f; f = e; e = (dd + t1) | 0;
        dd = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0;
      h[3] = (h[3] + dd) | 0; h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0;
      h[6] = (h[6] + g) | 0; h[7] = (h[7] + hh) | 0;
    }
  };

  /* Add bytes (a Uint8Array or an ArrayBuffer); may be called any number of times. */
  Sha256.prototype.update = function (data) {
    var d = data instanceof Uint8Array ? data : new Uint8Array(data);
    var p = 0, n = d.length;
    this.length += n;
    if (this.tailLength) {
      var take = Math.min(64 - this.tailLength, n);
      this.tail.set(d.subarray(0, take), this.tailLength);
      this.tailLength += take;
      p = take;
      if (this.tailLength < 64) return this;
      this.blocks(this.tail, 0, 64);
      this.tailLength = 0;
    }
    var end = p + Math.floor((n - p) / 64) * 64;
    this.blocks(d, p, end);
    if (end < n) {
      this.tail.set(d.subarray(end), 0);
      this.tailLength = n - end;
    }
    return this;
  };

  /* The digest as 32 bytes; the hash is finished (update no more). */
  Sha256.prototype.digest = function () {
    var bits = this.length * 8;
    var pad = new Uint8Array((this.tailLength < 56 ? 64 : 128) - this.tailLength);
    pad[0] = 0x80;
    // The length in bits, big-endian on 64 bits: split in two words (bits exceeds 2^32
    // from 512 MB on, and JavaScript's bit operators work on 32).
    var high = Math.floor(bits / 0x100000000), low = bits >>> 0, end = pad.length;
    [high, low].forEach(function (word, i) {
      for (var j = 0; j < 4; j++) pad[end - 8 + 4 * i + j] = (word >>> (24 - 8 * j)) & 0xff;
    });
    var length = this.length;
    this.update(pad);
    this.length = length;
    var out = new Uint8Array(32);
    for (var i = 0; i < 8; i++) {
      for (var j = 0; j < 4; j++) out[4 * i + j] = (this.h[i] >>> (24 - 8 * j)) & 0xff;
    }
    return out;
  };

  /* The digest as 64 lower-case hex digits. */
  Sha256.prototype.hex = function () {
    var d = this.digest(), out = "";
    for (var i = 0; i < d.length; i++) out += ("0" + d[i].toString(16)).slice(-2);
    return out;
  };

  function base64(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s);
  }

  scope.BookeSha256 = Sha256;

  scope.BookeSha256.base64 = base64;

  var inWorker = typeof WorkerGlobalScope !== "undefined" && scope instanceof WorkerGlobalScope;
  if (!inWorker) return;

  /* One file per message: {id, file, partSize} → {id, progress: bytes}* then
   * {id, sha256, parts} or {id, error}. `parts`: the base64 SHA-256 of each partSize slice,
   * which S3 checks each uploaded part against. A part is read whole (16 MiB): its own
   * digest comes from the browser's native SHA-256 where there is one (a secure context),
   * the file's from this implementation, which can be fed in pieces. */
  var reader = typeof FileReaderSync !== "undefined" ? new FileReaderSync() : null;
  var subtle = scope.crypto && scope.crypto.subtle;
  scope.onmessage = function (event) {
    var id = event.data.id, file = event.data.file;
    var partSize = event.data.partSize > 0 ? event.data.partSize : 16 * 1024 * 1024;
    var hash = new Sha256(), offset = 0, parts = [];
    function read(slice) {
      return reader ? Promise.resolve(reader.readAsArrayBuffer(slice)) : slice.arrayBuffer();
    }
    function partDigest(buffer) {
      if (subtle) return subtle.digest("SHA-256", buffer).then(function (d) { return new Uint8Array(d); });
      return Promise.resolve(new Sha256().update(buffer).digest());
    }
    function next() {
      if (offset >= file.size && (offset > 0 || parts.length)) {
        scope.postMessage({ id: id, sha256: hash.hex(), parts: parts });
        return;
      }
      read(file.slice(offset, Math.min(offset + partSize, file.size))).then(function (buffer) {
        if (!buffer.byteLength && offset < file.size) throw new Error("the file could not be read");
        hash.update(buffer);
        offset += buffer.byteLength;
        return partDigest(buffer);
      }).then(function (digest) {
        parts.push(base64(digest));
        scope.postMessage({ id: id, progress: offset });
        next();
      }).catch(fail);
    }
    function fail(error) {
      scope.postMessage({ id: id, error: String((error && error.message) || error) });
    }
    next();
  };
})(typeof self !== "undefined" ? self : globalThis);
