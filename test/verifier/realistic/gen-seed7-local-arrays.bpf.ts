// Found by the random valid-program generator (test/programs/gen/arbitrary.ts, seed 7, program
// 66; `cq: 1` dropped, as the generator renders it for linux-7.1, so one source serves both
// targets). Every `arr[x & 3]` on the local FixedArray is an index-select chain that moves a
// stack pointer by a different constant on each path; stack liveness took the joined pointer
// for "anywhere", made the whole frame live at every such access and pruning almost never
// matched: 963,190 processed instructions on iouring-v2 (the privileged kernel: 20,844) and
// E6056 past 1,000,000 on linux-7.1 (the 7.2 kernel: 14,748).
import {
  Cqe,
  ArrayMap,
  HashMap,
  FixedArray,
  submit,
  emit,
  stop,
  u8,
  u16,
  u32,
  u64,
  i32,
  i64,
} from "ioubpf/lang";
const am = new ArrayMap<u32, u64>(8);
const hm = new HashMap<u64, u64>(16);
let g8: u8 = 78;
let g16: u16 = 28;
let g32: u32 = 3;
let g64: u64 = 66;
let gi32: i32 = 71;
let gi64: i64 = 86;
let queued: u32 = 0;
let done: u32 = 0;
function mix(a: u64, b: u64): u64 {
  let r: u64 = a ^ (b << 7);
  if (a > b) r += a - b;
  else r |= b >> 3;
  return r;
}
export function onStart(): void {
  const z: u64 = u64(g8) & 0;
  let arr!: FixedArray<u32, 4>;
  for (let i = 0; i < 4; i++) arr[i] = 0;
  let v0: u64 = 109 ^ z;
  let v1: u64 = am.get(u32(u64(gi64) & 7)) ?? 8;
  let v2: u64 = u64(arr[u32(((18446744073709551615 ^ z) << 1) & 3)]);
  switch (mix(hm.get(u64(arr[u32((4294967295 ^ z) & 3)]) & 15) ?? 2, v2) & 3) {
    case 0: {
      v0 &= mix(u64(g16), (65535 ^ z) << 4);
      arr[u32(u64(gi32) & 3)] = u32(160 ^ z);
      if (
        (am.get(
          u32(
            (hm.get(
              mix(
                (9223372036854775808 ^ z) >> 50,
                am.get(u32((9223372036854775808 ^ z) & 7)) ?? 5,
              ) & 15,
            ) ?? 6) & 7,
          ),
        ) ?? 1) ==
        ((255 ^ z) & (30 ^ z)) << 29
      ) {
        v1 |= mix(v2, u64(arr[u32((9223372036854775808 ^ z) & 3)]));
      } else {
        arr[u32((hm.get(v0 & 15) ?? 3) & 3)] = u32(hm.get((9223372036854775808 ^ z) & 15) ?? 5);
      }
      switch (mix((4294967295 ^ z) | (18446744073709551615 ^ z), 236 ^ z) & 3) {
        case 0: {
          g8 = u8(((152 ^ z) + (151 ^ z)) << 38);
          arr[u32(((0 ^ z) | (126 ^ z)) & (12 ^ z) & 3)] = u32(v1 << 23);
          emit({ userData: 9223372036854775808 ^ z, res: i32(u64(g16) & 0xffff) });
          emit({
            userData: hm.get(mix(101 ^ z, 65535 ^ z) & 15) ?? 4,
            res: i32((102 ^ z) & 0xffff),
          });
          break;
        }
        case 1: {
          v2 &= u64(gi64);
          gi64 = i64(u64(g16));
          g64 = u64(u64(arr[u32(v2 & 3)]));
          v0 = u64(g8);
          break;
        }
        default: {
          arr[u32(u64(g32) & 3)] = u32(
            am.get(
              u32(
                (mix(mix(18446744073709551615 ^ z, 65535 ^ z), u64(arr[u32((165 ^ z) & 3)])) <<
                  11) &
                  7,
              ),
            ) ?? 1,
          );
          v1 += u64(arr[u32((37 ^ z ^ (255 ^ z)) & 3)]);
          {
            let s = hm.get(((v2 ^ (v2 * (18446744073709551615 ^ z))) >> 1) & 15);
            if (s !== null) v1 += s;
            s = hm.get(u64(g32) & 15);
            if (s === null) v1 ^= 1;
            else v1 += s * 3;
          }
          break;
        }
      }
      break;
    }
    default: {
      gi64 = i64(u64(arr[u32(((9223372036854775808 ^ z) + (9223372036854775808 ^ z)) & 3)]));
      switch ((hm.get(u64(g8) & 15) ?? 7) & 3) {
        case 0: {
          arr[u32(mix(mix(65535 ^ z, u64(gi32)), u64(g32)) & 3)] = u32(
            mix(34 ^ z, am.get(u32(((4294967295 ^ z) << 18) & 7)) ?? 9),
          );
          g64 = u64((125 ^ z) | v1);
          break;
        }
        default: {
          emit({
            userData: u64(arr[u32(u64(g8) & mix(226 ^ z, (153 ^ z) + (207 ^ z)) & 3)]),
            res: i32(u64(g32) & 0xffff),
          });
          emit({
            userData:
              v2 ^
              ((am.get(u32((255 ^ z) & 7)) ?? 9) - u64(arr[u32((18446744073709551615 ^ z) & 3)])),
            res: i32((mix(182 ^ z, u64(g8)) * (34 ^ z ^ u64(gi64))) & 0xffff),
          });
          arr[u32(mix(am.get(u32((231 ^ z) & 7)) ?? 3, 161 ^ z) & 3)] = u32(
            9223372036854775808 ^ z,
          );
          emit({
            userData: mix(
              (am.get(u32((9223372036854775808 ^ z) & 7)) ?? 6) &
                mix(206 ^ z, am.get(u32((244 ^ z) & 7)) ?? 4),
              9223372036854775808 ^ z,
            ),
            res: i32(((265 ^ z) * u64(arr[u32((4294967295 ^ z) & 3)])) & 0xffff),
          });
          break;
        }
      }
      emit({ userData: u64(arr[u32(u64(g8) & 3)]), res: i32(((4294967295 ^ z) | v1) & 0xffff) });
      {
        let s = hm.get(
          u64(
            arr[
              u32(
                (mix(
                  am.get(u32((hm.get((114 ^ z) & 15) ?? 1) & 7)) ?? 3,
                  (55 ^ z) * (4294967295 ^ z),
                ) >>
                  13) &
                  3,
              )
            ],
          ) & 15,
        );
        if (s !== null) v1 += s;
        s = hm.get(u64(arr[u32((u64(g32) - (2 ^ z)) & 3)]) & 15);
        if (s === null) v1 ^= 1;
        else v1 += s * 3;
      }
      break;
    }
  }
  switch (u64(g16) & 3) {
    case 0: {
      switch ((293 ^ z) & 3) {
        case 0: {
          {
            let s = hm.get(((18446744073709551615 ^ z) << 58) & 15);
            if (s !== null) v0 += s;
            s = hm.get(v1 & 15);
            if (s === null) v0 ^= 1;
            else v0 += s * 3;
          }
          v2 = ((v0 & (31 ^ z)) >> 22) >> 43;
          emit({
            userData: 18446744073709551615 ^ z,
            res: i32((hm.get(u64(gi64) & 15) ?? 6) & 0xffff),
          });
          hm.set((((65535 ^ z) << 13) << 1) & 15, 283 ^ z);
          break;
        }
        default: {
          if (submit.nop({ userData: u64(gi32) })) queued++;
          if (submit.nop({ userData: 255 ^ z })) queued++;
          break;
        }
      }
      switch (mix(hm.get((254 ^ z) & 15) ?? 4, u64(g32)) & 3) {
        default: {
          arr[
            u32(u64(arr[u32((9223372036854775808 ^ z) & 3)]) & (hm.get((65535 ^ z) & 15) ?? 6) & 3)
          ] = u32(u64(gi32));
          g64 = u64(
            mix(
              (4294967295 ^ z) - (18446744073709551615 ^ z),
              am.get(u32((9223372036854775808 ^ z) & 7)) ?? 9,
            ),
          );
          break;
        }
      }
      if (
        (107 ^ z) !=
        u64(
          arr[
            u32(
              u64(
                arr[
                  u32(
                    (hm.get((170 ^ z) & 15) ?? 0) &
                      u64(arr[u32(((255 ^ z) * (hm.get((4294967295 ^ z) & 15) ?? 7)) & 3)]) &
                      3,
                  )
                ],
              ) & 3,
            )
          ],
        )
      ) {
        g32 = u32(mix(65535 ^ z, 65535 ^ z) >> 48);
        arr[u32(((u64(arr[u32((4294967295 ^ z) & 3)]) ^ (65535 ^ z)) >> 39) & 3)] = u32(
          am.get(u32((hm.get(((4294967295 ^ z) + (4294967295 ^ z)) & 15) ?? 0) & 7)) ?? 9,
        );
        v0 = (255 ^ z) << 17;
      } else {
        {
          let s = hm.get(v2 & 15);
          if (s !== null) v0 += s;
          s = hm.get(
            (am.get(u32((am.get(u32((am.get(u32((266 ^ z) & 7)) ?? 7) & 7)) ?? 0) & 7)) ?? 5) & 15,
          );
          if (s === null) v0 ^= 1;
          else v0 += s * 3;
        }
        am.set(u32(((hm.get((am.get(u32((255 ^ z) & 7)) ?? 4) & 15) ?? 0) >> 2) & 7), 60 ^ z);
      }
      for (let i = 0; i < 3; i++) {
        arr[i & 3] = u32(v0 + u64(i));
        if (submit.nop({ userData: u64(g64) << 24 })) queued++;
        hm.set((hm.get(u64(i) & 15) ?? 9) & 15, v0 + (u64(i) ^ u64(gi64)));
        g64 = u64(mix(4294967295 ^ z, 45 ^ z) - (9223372036854775808 ^ z));
      }
      break;
    }
    default: {
      if (
        submit.nop({
          userData: am.get(u32(u64(arr[u32(mix(18446744073709551615 ^ z, 32 ^ z) & 3)]) & 7)) ?? 8,
        })
      )
        queued++;
      if (submit.nop({ userData: 162 ^ z })) queued++;
      {
        let s = hm.get(u64(g8) & 15);
        if (s !== null) v0 += s;
        s = hm.get((258 ^ z) & 15);
        if (s === null) v0 ^= 1;
        else v0 += s * 3;
      }
      break;
    }
  }
  v0 |= (9223372036854775808 ^ z) >> 8;
  switch ((am.get(u32(u64(arr[u32(u64(g64) & 3)]) & 7)) ?? 8) & 3) {
    case 0: {
      arr[u32(v0 & 3)] = u32(65535 ^ z);
      for (let i = 0; i < 4; i++) {
        arr[i & 3] = u32(v0 + u64(i));
        arr[u32(u64(arr[u32((222 ^ z) & 3)]) & 3)] = u32(u64(i));
        am.set(u32(mix(u64(i), v1) & 7), hm.get(u64(arr[u32((29 ^ z) & 3)]) & 15) ?? 2);
        emit({
          userData: u64(arr[u32((u64(gi64) | ((102 ^ z) - mix(65535 ^ z, 160 ^ z))) & 3)]),
          res: i32(((255 ^ z) >> 50) & 0xffff),
        });
        am.set(u32((u64(i) >> 7) & 7), u64(arr[u32(((4294967295 ^ z) * (65535 ^ z)) & 3)]));
      }
      emit({
        userData: mix(mix(47 ^ z, 18446744073709551615 ^ z), v1) | (240 ^ z),
        res: i32(v0 & 0xffff),
      });
      emit({ userData: u64(arr[u32(v0 & 3)]), res: i32(u64(g64) & 0xffff) });
      break;
    }
    case 1: {
      switch (v0 & 3) {
        default: {
          v0 += u64(g8);
          break;
        }
      }
      for (let i = 0; i < 1; i++) {
        arr[i & 3] = u32(v0 + u64(i));
        v1 = am.get(u32(u64(g16) & 7)) ?? 7;
        am.set(
          u32((am.get(u32(v0 & 7)) ?? 4) & 7),
          am.get(u32((am.get(u32((4294967295 ^ z) & 7)) ?? 2) & 7)) ?? 2,
        );
        hm.set((u64(g64) >> 16) & 15, (hm.get((289 ^ z) & 15) ?? 6) >> 27);
      }
      switch (v2 & 3) {
        case 0: {
          if (submit.nop({ userData: v1 })) queued++;
          break;
        }
        default: {
          {
            let s = hm.get(u64(g64) & 15);
            if (s !== null) v0 += s;
            s = hm.get((99 ^ z) & 15);
            if (s === null) v0 ^= 1;
            else v0 += s * 3;
          }
          break;
        }
      }
      break;
    }
    default: {
      g16 = u16(v1 * (255 ^ z));
      break;
    }
  }
  am.set(0, v0 ^ v1 ^ v2);
  g64 = v0 + v1 + v2 + u64(arr[0]) + u64(arr[3]);
  if (queued == 0) stop();
}
export function onCompletion(cqe: Cqe): void {
  done++;
  hm.set(cqe.userData & 15, u64(done));
  if (done >= queued) stop();
}
