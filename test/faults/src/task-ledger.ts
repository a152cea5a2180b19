/**
 * A ledger entry of the instances' `task_steps` tool, kept in the store apart from its checkpoint:
 * a run's start (`step`: the checkpoint it starts from) or a step it executed (`step`: its number).
 */
export interface StepEntry {
  kind: "start" | "step";
  step: number;
  instance: string;
  pid: number;
  run: string;
  started: number;
  ended: number;
}
