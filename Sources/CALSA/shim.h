#ifndef SCENOPHONE_CALSA_SHIM_H
#define SCENOPHONE_CALSA_SHIM_H

#include <alsa/asoundlib.h>

#endif
