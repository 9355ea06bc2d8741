// Schedules: LFR phases, per-block statistics, samplers, the trainer, run records.
