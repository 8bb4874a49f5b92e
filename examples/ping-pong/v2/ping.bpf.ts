// Ping: waits on CQ 1 and serves first. The ball is a CQE whose userData counts the hits;
// each side adds one and emits it to the other side's CQ. Once the ball has been hit ROUNDS
// times, ping tells pong to stop (res -1), reports the count to user space on CQ 0 and stops.
import { Cqe, emit, stop, i32 } from "ioubpf/lang";

export const name = "ping";

const PONG_CQ = 2;
const ROUNDS = 100;
const STOP = -1;

export function onStart(): void {
  emit({ userData: 0, res: 0, cq: PONG_CQ }); // serve the first ball
}

export function onCompletion(cqe: Cqe): void {
  if (cqe.res == STOP) {
    stop();
    return;
  }
  const ball = cqe.userData + 1;
  if (ball >= ROUNDS) {
    emit({ userData: ball, res: STOP, cq: PONG_CQ });
    emit({ userData: ball, res: i32(ball) }); // CQ 0: user space
    stop();
    return;
  }
  emit({ userData: ball, res: 0, cq: PONG_CQ });
}
