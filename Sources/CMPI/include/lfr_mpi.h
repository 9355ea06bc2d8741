// CMPI: lfr's bridge to MPI (Open MPI), loaded only when lfr runs under mpirun.
//
// lfr does not link libmpi. A process started by mpirun (Open MPI sets
// OMPI_COMM_WORLD_SIZE, PMIx sets PMIX_RANK) opens libmpi.so.40 with dlopen
// on lfr_mpi_init and resolves the few functions and predefined handles
// below; any other process never touches MPI, so the same binary (static
// builds included) starts and runs as one process on a machine without it.
//
// What stays true: every call other than lfr_mpi_launched, lfr_mpi_init and
// lfr_mpi_error needs a successful lfr_mpi_init first; all collectives use
// MPI_COMM_WORLD; every function returns 0 on success, otherwise non-zero
// with a message in lfr_mpi_error().
#ifndef LFR_MPI_H
#define LFR_MPI_H

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when the environment says this process was started by mpirun.
int lfr_mpi_launched(void);

/// Opens libmpi (LFR_MPI_LIBRARY=FILE names the file), resolves its
/// symbols and calls MPI_Init. Idempotent.
int lfr_mpi_init(void);
/// 1 after a successful lfr_mpi_init and before lfr_mpi_finalize.
int lfr_mpi_active(void);
/// The reason of the last failure (a static string, never NULL).
const char *lfr_mpi_error(void);

int lfr_mpi_rank(void);
int lfr_mpi_size(void);
int lfr_mpi_barrier(void);
/// In-place element-wise sums over all ranks.
int lfr_mpi_allreduce_sum_float(float *buffer, long count);
int lfr_mpi_allreduce_sum_double(double *buffer, long count);
/// In-place maximum (for agreeing on flags and lengths).
int lfr_mpi_allreduce_max_long(long *buffer, long count);
/// `bytes` bytes from `root` to every rank's buffer.
int lfr_mpi_broadcast(void *buffer, long bytes, int root);
/// Every rank sends `counts[rank]` bytes; every rank receives all of them,
/// rank after rank, into `out` (sum(counts) bytes).
int lfr_mpi_allgatherv(const void *send, long bytes, void *out, const long *counts);
/// Ends the whole job with this exit code (does not return when MPI is active).
void lfr_mpi_abort(int code);
int lfr_mpi_finalize(void);
/// Seconds from MPI_Wtime.
double lfr_mpi_wtime(void);

#ifdef __cplusplus
}
#endif

#endif
