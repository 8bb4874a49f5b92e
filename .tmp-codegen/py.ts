export function onStart(): void {
 let d: u32 = u32(ktime() & 0) + 100; do { d -= 7; } while (d > 50); emit({ userData: u64(d), res: 0 });
}
