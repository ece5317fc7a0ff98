#ifndef PURPLEPAGES_CLMDB_SHIM_H
#define PURPLEPAGES_CLMDB_SHIM_H

#include <lmdb.h>

#endif
