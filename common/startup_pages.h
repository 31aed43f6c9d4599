// DropStartupCodePages: unmaps from this process the code pages (and other
// read-only file pages) that only starting it needed.
//
// Starting the gateway runs static initialisers and setup code all over its
// statically linked gRPC, protobuf and abseil, and the kernel maps every
// faulted code page together with its cached neighbours (fault-around, 64
// KiB): about 13 MiB of the binary's 18 MiB of code and constants end up
// resident although serving uses a fraction of them, and the dynamic
// linker's symbol lookups leave the libraries' symbol tables resident too.
// Once startup is over, this drops the process's mappings of read-only,
// unmodified file pages (the binary's and its libraries' code, constants
// and symbol tables). They stay in the page cache; whatever is used again
// faults back in from there, so what stays resident is what serving touches.
//
// Only mappings that are not writable and hold no private (copied-on-write)
// page are touched; data and relocated read-only data (RELRO, whose pages
// are private copies) never are.
//
// Thread-safety: safe to call from any thread, at any time.
#ifndef JSENGINE_COMMON_STARTUP_PAGES_H_
#define JSENGINE_COMMON_STARTUP_PAGES_H_

#include <cstddef>

namespace jsengine::common {

// Returns the bytes of mappings it dropped (0 if /proc/self/smaps cannot be
// read).
size_t DropStartupCodePages();

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_STARTUP_PAGES_H_
