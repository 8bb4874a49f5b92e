// Pack a completion into a compact 64-bit summary with every conversion: truncations to
// u8/u16/u32, sign extension through i8/i16/i32/i64 and zero extension to u64.
import { Cqe, emit, u8, u16, u32, u64, i8, i16, i32, i64 } from "ioubpf/lang";

export function onCompletion(cqe: Cqe): void {
  const tag: u8 = u8(cqe.userData); // low byte of the request tag
  const bufId: u16 = u16(cqe.flags >> 16);
  const res32: u32 = u32(cqe.res); // negative errno becomes a large u32
  const errByte: i8 = i8(cqe.res); // small errnos fit in a signed byte
  const errWide: i16 = i16(errByte); // sign-extends
  const res64: i64 = i64(cqe.res); // sign-extends
  const back: i32 = i32(res64);
  const summary: u64 =
    (u64(tag) << 56) | (u64(bufId) << 40) | (u64(u16(errWide)) << 24) | u64(res32 & 0xffffff);
  emit({ userData: summary, res: back });
}
