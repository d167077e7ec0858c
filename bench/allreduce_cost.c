/* The all-reduce's cost model on this machine: MPI_Allreduce (sum of floats, in place) of 4 B to 4 MiB,
 * median of 50 timed repetitions after 10 warm-ups, rank 0 prints bytes and microseconds. Fit
 * t = alpha + bytes / bandwidth to it for docs/RESULTS.md's projection.
 * Build and run: mpicc -O2 bench/allreduce_cost.c -o /tmp/allreduce_cost && mpirun -np 2 /tmp/allreduce_cost */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int compare(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  float* values = calloc(1 << 20, sizeof(float));
  double times[50];
  for (int floats = 1; floats <= (1 << 20); floats *= 4) {
    for (int i = 0; i < 60; ++i) {
      MPI_Barrier(MPI_COMM_WORLD);
      double t = MPI_Wtime();
      MPI_Allreduce(MPI_IN_PLACE, values, floats, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
      if (i >= 10) times[i - 10] = MPI_Wtime() - t;
    }
    qsort(times, 50, sizeof(double), compare);
    if (rank == 0) printf("%9d bytes  %9.1f us\n", floats * 4, times[25] * 1e6);
  }
  free(values);
  MPI_Finalize();
  return 0;
}
