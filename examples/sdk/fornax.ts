// fornax.ts — the Fornax state API for AssemblyScript functions. Copy this file into your project's assembly/ folder
// and `import { Kv } from "./fornax";`. The raw imports mirror examples/sdk/fornax.h; docs/functions.md, "State",
// describes the calls, the binding (spec.state) and the limits.
//
// Every call is one operation of the KV store at the site the function runs at, limited to the keyspaces its spec
// binds. A key outside them, or a write under `access: read`, traps (the invocation answers 500 naming the key and
// the binding). The store's own refusals (FORNAX_ERR_*) abort here with the call and the status; use the raw imports
// to handle them yourself.

// @ts-ignore: decorator
@external("fornax", "get") declare function fornax_get(key: usize, keyLen: i32, out: usize, cap: i32): i32;
// @ts-ignore: decorator
@external("fornax", "set") declare function fornax_set(key: usize, keyLen: i32, value: usize, valueLen: i32): i32;
// @ts-ignore: decorator
@external("fornax", "del") declare function fornax_del(key: usize, keyLen: i32): i32;
// @ts-ignore: decorator
@external("fornax", "incr") declare function fornax_incr(key: usize, keyLen: i32, delta: i64, out: usize): i32;
// @ts-ignore: decorator
@external("fornax", "sadd") declare function fornax_sadd(key: usize, keyLen: i32, member: usize, memberLen: i32): i32;
// @ts-ignore: decorator
@external("fornax", "smembers") declare function fornax_smembers(key: usize, keyLen: i32, out: usize, cap: i32): i32;
// @ts-ignore: decorator
@external("fornax", "hset") declare function fornax_hset(key: usize, keyLen: i32, field: usize, fieldLen: i32, value: usize, valueLen: i32): i32;
// @ts-ignore: decorator
@external("fornax", "hget") declare function fornax_hget(key: usize, keyLen: i32, field: usize, fieldLen: i32, out: usize, cap: i32): i32;
// @ts-ignore: decorator
@external("fornax", "hincr") declare function fornax_hincr(key: usize, keyLen: i32, field: usize, fieldLen: i32, delta: i64, out: usize): i32;
// @ts-ignore: decorator
@external("fornax", "hgetall") declare function fornax_hgetall(key: usize, keyLen: i32, out: usize, cap: i32): i32;

export const FORNAX_NOT_FOUND: i32 = -1;
export const FORNAX_ERR_WRONG_TYPE: i32 = -2;
export const FORNAX_ERR_NOT_INTEGER: i32 = -3;
export const FORNAX_ERR_READ_ONLY: i32 = -4;

function utf8(s: string): ArrayBuffer {
  return String.UTF8.encode(s);
}

function ptr(b: ArrayBuffer): usize {
  return changetype<usize>(b);
}

function check(call: string, status: i32): i32 {
  if (status < FORNAX_NOT_FOUND) abort("fornax." + call + " refused with status " + status.toString());
  return status;
}

// Reads into a buffer that grows to the result's length: the host copies only when the whole result fits.
function readGrowing(read: (out: usize, cap: i32) => i32): ArrayBuffer | null {
  let buf = new ArrayBuffer(256);
  let n = read(ptr(buf), buf.byteLength);
  if (n > buf.byteLength) {
    buf = new ArrayBuffer(n);
    n = read(ptr(buf), buf.byteLength);
  }
  if (n < 0 || n > buf.byteLength) return null;
  return buf.slice(0, n);
}

function decodeList(list: ArrayBuffer): string[] {
  const items = new Array<string>();
  const bytes = Uint8Array.wrap(list);
  let at = 0;
  while (at + 4 <= bytes.length) {
    const n = <i32>(load<u32>(changetype<usize>(list) + at));
    if (n > bytes.length - at - 4) break;
    items.push(String.UTF8.decode(list.slice(at + 4, at + 4 + n)));
    at += 4 + n;
  }
  return items;
}

// The closures below cannot capture locals in AssemblyScript, so each call passes its arguments through these.
let argKey: ArrayBuffer = new ArrayBuffer(0);
let argField: ArrayBuffer = new ArrayBuffer(0);

export class Kv {
  /** The string (or a counter as text) at key, or null when it does not exist. */
  static get(key: string): string | null {
    argKey = utf8(key);
    const buf = readGrowing((out: usize, cap: i32): i32 => check("get", fornax_get(ptr(argKey), argKey.byteLength, out, cap)));
    return buf == null ? null : String.UTF8.decode(buf);
  }

  static set(key: string, value: string): void {
    const k = utf8(key), v = utf8(value);
    check("set", fornax_set(ptr(k), k.byteLength, ptr(v), v.byteLength));
  }

  /** True when the key existed. */
  static del(key: string): bool {
    const k = utf8(key);
    return check("del", fornax_del(ptr(k), k.byteLength)) == 1;
  }

  /** Adds delta to a counter (increments at different sites add up); the new value. */
  static incr(key: string, delta: i64 = 1): i64 {
    const k = utf8(key);
    const out = new ArrayBuffer(8);
    check("incr", fornax_incr(ptr(k), k.byteLength, delta, ptr(out)));
    return load<i64>(ptr(out));
  }

  /** True when the member is new. */
  static sadd(key: string, member: string): bool {
    const k = utf8(key), m = utf8(member);
    return check("sadd", fornax_sadd(ptr(k), k.byteLength, ptr(m), m.byteLength)) == 1;
  }

  static smembers(key: string): string[] {
    argKey = utf8(key);
    const buf = readGrowing((out: usize, cap: i32): i32 => check("smembers", fornax_smembers(ptr(argKey), argKey.byteLength, out, cap)));
    return buf == null ? new Array<string>() : decodeList(buf);
  }

  /** True when the field is new. */
  static hset(key: string, field: string, value: string): bool {
    const k = utf8(key), f = utf8(field), v = utf8(value);
    return check("hset", fornax_hset(ptr(k), k.byteLength, ptr(f), f.byteLength, ptr(v), v.byteLength)) == 1;
  }

  static hget(key: string, field: string): string | null {
    argKey = utf8(key);
    argField = utf8(field);
    const buf = readGrowing((out: usize, cap: i32): i32 =>
      check("hget", fornax_hget(ptr(argKey), argKey.byteLength, ptr(argField), argField.byteLength, out, cap)));
    return buf == null ? null : String.UTF8.decode(buf);
  }

  /** Adds delta to a counter field; the new value. */
  static hincr(key: string, field: string, delta: i64 = 1): i64 {
    const k = utf8(key), f = utf8(field);
    const out = new ArrayBuffer(8);
    check("hincr", fornax_hincr(ptr(k), k.byteLength, ptr(f), f.byteLength, delta, ptr(out)));
    return load<i64>(ptr(out));
  }

  /** Every field and value of the hash (empty when it does not exist). */
  static hgetall(key: string): Map<string, string> {
    argKey = utf8(key);
    const buf = readGrowing((out: usize, cap: i32): i32 => check("hgetall", fornax_hgetall(ptr(argKey), argKey.byteLength, out, cap)));
    const map = new Map<string, string>();
    if (buf == null) return map;
    const items = decodeList(buf);
    for (let i = 0; i + 1 < items.length; i += 2) map.set(items[i], items[i + 1]);
    return map;
  }
}
