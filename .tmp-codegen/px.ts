export function onCompletion(cqe: Cqe): void {
 const n: u32 = u32(cqe.userData);
 let d: u32 = 100; do { d -= 7; } while (d > 50); emit({ userData: u64(n), res: 0 });
}
