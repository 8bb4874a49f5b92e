export function onCompletion(cqe: Cqe): void {
  const n: u32 = u32(cqe.userData);
  let sum: u32 = 0;
  for (let i: u32 = 0; i < 10; i++) {
    if (i == 3) continue;
    if (i >= n) break;
    sum += i;
  }
  let w: u32 = 0;
  while (w < n && w < 20) w += 3;
  let d: u32 = 100;
  do { d -= 7; } while (d > 50);
  emit({ userData: u64(sum), res: i32(w * 1000 + d) });
}
