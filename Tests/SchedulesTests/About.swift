// SchedulesTests: tests of the Schedules module live in this folder (one file per concern).
