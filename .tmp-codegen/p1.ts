export function onCompletion(cqe: Cqe): void {
  const b: i8 = i8(cqe.userData);
  emit({ userData: u64(b), res: i32(b) });
}
