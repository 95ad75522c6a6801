#ifndef SCENOPHONE_COPENBLAS_SHIM_H
#define SCENOPHONE_COPENBLAS_SHIM_H

// Debian's libopenblas-dev puts cblas.h under the openblas-pthread include directory that
// pkg-config names; it also declares openblas_get_corename and openblas_set_num_threads.
#include <cblas.h>

#endif
