const m = new HashMap<u64, u64>(16);
export function onCompletion(cqe: Cqe): void {
  const k = cqe.userData;
  m.set(k, k * 3);
  const p = m.get(k);
  let v: u64 = 0;
  if (p !== null) v = p;
  const had = m.has(k);
  m.delete(k);
  const gone = !m.has(k);
  emit({ cq: u16(cqe.flags & 0), userData: v + 1, res: (had ? i32(1) : 0) + (gone ? i32(2) : 0), flags: cqe.flags ^ 1 });
}
