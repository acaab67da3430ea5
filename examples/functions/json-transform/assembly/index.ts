// json-transform — a Fornax function in AssemblyScript (WAGI ABI, WASI through @assemblyscript/wasi-shim).
// Reads a JSON document from stdin (the request body) and answers the same document with every
// string *value* upper-cased; object keys, numbers and structure are kept byte for byte.
//   {"name":"ada","tags":["x"]}  ->  {"name":"ADA","tags":["X"]}
// A tokenizer-level transform keeps the example free of a JSON library.

function readStdin(): Uint8Array {
  let chunks = new Array<Uint8Array>();
  let total = 0;
  while (true) {
    let buf = new ArrayBuffer(4096);
    let n = process.stdin.read(buf);
    if (n <= 0) break;
    chunks.push(Uint8Array.wrap(buf, 0, n));
    total += n;
  }
  let all = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < chunks.length; i++) {
    all.set(chunks[i], at);
    at += chunks[i].length;
  }
  return all;
}

function isSpace(c: u8): bool {
  return c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d;
}

function transform(input: Uint8Array): Uint8Array {
  let out = new Uint8Array(input.length);
  let i = 0;
  while (i < input.length) {
    let c = input[i];
    if (c != 0x22) { // not a quote: copy as is
      out[i] = c;
      i++;
      continue;
    }
    // A string: find its end (skipping escapes), then decide key or value by the next token.
    let start = i;
    let j = i + 1;
    while (j < input.length && input[j] != 0x22) {
      j += input[j] == 0x5c ? 2 : 1;
    }
    let end = j < input.length ? j : input.length - 1;
    let k = end + 1;
    while (k < input.length && isSpace(input[k])) k++;
    let isKey = k < input.length && input[k] == 0x3a; // ':'
    let escaped = false;
    for (let p = start; p <= end; p++) {
      let b = input[p];
      // Upper-case ASCII letters in values, but never the letter after a backslash (\n, \u00e9).
      if (!isKey && !escaped && b >= 0x61 && b <= 0x7a) b -= 0x20;
      escaped = !escaped && b == 0x5c;
      out[p] = b;
    }
    i = end + 1;
  }
  return out;
}

let body = transform(readStdin());
let site = process.env.has("FORNAX_SITE") ? process.env.get("FORNAX_SITE") : "unknown";
process.stdout.write("Content-Type: application/json\nX-Fornax-Site: " + site + "\n\n");
process.stdout.write(body.buffer);
