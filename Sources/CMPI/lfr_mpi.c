// CMPI: lazy loading of Open MPI (see include/lfr_mpi.h for why).
#include "lfr_mpi.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

// Open MPI's handles are the addresses of its predefined objects
// (MPI_COMM_WORLD is &ompi_mpi_comm_world, and so on), and MPI_IN_PLACE is
// the constant (void *)1; mpi.h is not needed to call through them.
typedef void *handle;
#define IN_PLACE ((void *)1)

static int (*p_init)(int *, char ***);
static int (*p_initialized)(int *);
static int (*p_finalize)(void);
static int (*p_comm_rank)(handle, int *);
static int (*p_comm_size)(handle, int *);
static int (*p_barrier)(handle);
static int (*p_allreduce)(const void *, void *, int, handle, handle, handle);
static int (*p_bcast)(void *, int, handle, int, handle);
static int (*p_allgatherv)(const void *, int, handle, void *, const int *, const int *, handle, handle);
static int (*p_abort)(handle, int);
static double (*p_wtime)(void);
static handle comm_world, t_float, t_double, t_long, t_byte, op_sum, op_max;

static int active, rank, size;
static char message[512] = "MPI is not initialised";

static int fail(const char *what, int code) {
    snprintf(message, sizeof message, "%s failed (MPI error %d)", what, code);
    return code ? code : 1;
}

int lfr_mpi_launched(void) {
    const char *a = getenv("OMPI_COMM_WORLD_SIZE"), *b = getenv("PMIX_RANK");
    return (a && a[0]) || (b && b[0]);
}

const char *lfr_mpi_error(void) { return message; }
int lfr_mpi_active(void) { return active; }
int lfr_mpi_rank(void) { return rank; }
int lfr_mpi_size(void) { return active ? size : 1; }

// A process that joined the job leaves it when it exits normally (MPI
// requires MPI_Finalize on every rank, or mpirun reports an abnormal end).
static void finalize_at_exit(void) { lfr_mpi_finalize(); }

int lfr_mpi_init(void) {
    if (active) return 0;
    const char *chosen = getenv("LFR_MPI_LIBRARY");
    const char *names[] = {"libmpi.so.40", "libmpi.so"};
    void *h = NULL;
    const char *why = "not found";
    if (chosen && chosen[0]) {
        h = dlopen(chosen, RTLD_NOW | RTLD_GLOBAL);
        if (!h) why = dlerror();
    } else {
        for (size_t i = 0; i < sizeof names / sizeof names[0] && !h; i++) {
            // RTLD_GLOBAL: Open MPI's own components (dlopened plugins)
            // resolve symbols of libmpi.
            h = dlopen(names[i], RTLD_NOW | RTLD_GLOBAL);
            if (!h) why = dlerror();
        }
    }
    if (!h) {
        snprintf(message, sizeof message, "cannot open Open MPI's libmpi.so.40 (%s); scripts/setup installs openmpi-bin and libopenmpi-dev", why ? why : "?");
        return 1;
    }
    struct { const char *name; void **slot; } syms[] = {
        {"MPI_Init", (void **)&p_init}, {"MPI_Initialized", (void **)&p_initialized},
        {"MPI_Finalize", (void **)&p_finalize}, {"MPI_Comm_rank", (void **)&p_comm_rank},
        {"MPI_Comm_size", (void **)&p_comm_size}, {"MPI_Barrier", (void **)&p_barrier},
        {"MPI_Allreduce", (void **)&p_allreduce}, {"MPI_Bcast", (void **)&p_bcast},
        {"MPI_Allgatherv", (void **)&p_allgatherv},
        {"MPI_Abort", (void **)&p_abort}, {"MPI_Wtime", (void **)&p_wtime},
        {"ompi_mpi_comm_world", &comm_world}, {"ompi_mpi_float", &t_float},
        {"ompi_mpi_double", &t_double}, {"ompi_mpi_long", &t_long}, {"ompi_mpi_byte", &t_byte},
        {"ompi_mpi_op_sum", &op_sum}, {"ompi_mpi_op_max", &op_max},
    };
    for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++) {
        *syms[i].slot = dlsym(h, syms[i].name);
        if (!*syms[i].slot) {
            snprintf(message, sizeof message, "libmpi has no %s (lfr needs Open MPI)", syms[i].name);
            return 1;
        }
    }
    int already = 0, rc;
    p_initialized(&already);
    if (!already && (rc = p_init(NULL, NULL)) != 0) return fail("MPI_Init", rc);
    if ((rc = p_comm_rank(comm_world, &rank)) != 0) return fail("MPI_Comm_rank", rc);
    if ((rc = p_comm_size(comm_world, &size)) != 0) return fail("MPI_Comm_size", rc);
    active = 1;
    atexit(finalize_at_exit);
    return 0;
}

#define NEED_ACTIVE() do { if (!active) { snprintf(message, sizeof message, "MPI is not initialised"); return 1; } } while (0)

int lfr_mpi_barrier(void) {
    NEED_ACTIVE();
    int rc = p_barrier(comm_world);
    return rc ? fail("MPI_Barrier", rc) : 0;
}

// MPI counts are ints: long buffers go in pieces of at most 2^30 elements.
static int allreduce(void *buffer, long count, long element, handle type, handle op, const char *what) {
    NEED_ACTIVE();
    char *p = buffer;
    while (count > 0) {
        int n = count > (1L << 30) ? (1 << 30) : (int)count;
        int rc = p_allreduce(IN_PLACE, p, n, type, op, comm_world);
        if (rc) return fail(what, rc);
        p += (long)n * element;
        count -= n;
    }
    return 0;
}

int lfr_mpi_allreduce_sum_float(float *buffer, long count) {
    return allreduce(buffer, count, sizeof(float), t_float, op_sum, "MPI_Allreduce (float sum)");
}

int lfr_mpi_allreduce_sum_double(double *buffer, long count) {
    return allreduce(buffer, count, sizeof(double), t_double, op_sum, "MPI_Allreduce (double sum)");
}

int lfr_mpi_allreduce_max_long(long *buffer, long count) {
    return allreduce(buffer, count, sizeof(long), t_long, op_max, "MPI_Allreduce (long max)");
}

int lfr_mpi_broadcast(void *buffer, long bytes, int root) {
    NEED_ACTIVE();
    char *p = buffer;
    while (bytes > 0) {
        int n = bytes > (1L << 30) ? (1 << 30) : (int)bytes;
        int rc = p_bcast(p, n, t_byte, root, comm_world);
        if (rc) return fail("MPI_Bcast", rc);
        p += n;
        bytes -= n;
    }
    return 0;
}

int lfr_mpi_allgatherv(const void *send, long bytes, void *out, const long *counts) {
    NEED_ACTIVE();
    int *c = malloc(sizeof(int) * (size_t)size), *d = malloc(sizeof(int) * (size_t)size);
    if (!c || !d) { free(c); free(d); snprintf(message, sizeof message, "out of memory"); return 1; }
    long total = 0;
    for (int r = 0; r < size; r++) {
        if (counts[r] < 0 || counts[r] > INT_MAX || total > INT_MAX - counts[r]) {
            free(c); free(d);
            snprintf(message, sizeof message, "allgather of more than 2 GiB is not supported");
            return 1;
        }
        c[r] = (int)counts[r];
        d[r] = (int)total;
        total += counts[r];
    }
    int rc = p_allgatherv(send, (int)bytes, t_byte, out, c, d, t_byte, comm_world);
    free(c);
    free(d);
    return rc ? fail("MPI_Allgatherv", rc) : 0;
}

void lfr_mpi_abort(int code) {
    fflush(stdout);
    fflush(stderr);
    if (active) p_abort(comm_world, code);
    _exit(code);
}

int lfr_mpi_finalize(void) {
    if (!active) return 0;
    active = 0;
    int rc = p_finalize();
    return rc ? fail("MPI_Finalize", rc) : 0;
}

double lfr_mpi_wtime(void) {
    if (active) return p_wtime();
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + 1e-6 * (double)tv.tv_usec;
}
