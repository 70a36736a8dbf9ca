/* A path as the kernel walks it (path_walk.h): its components from the last
 * to the first, each NUL-terminated ("sh\0bin\0usr\0" is /usr/bin/sh). The
 * buffer is twice the walk's limit so that the verifier can bound every
 * write. Shared by the eBPF programs and user space (kernel_path.h). */
#ifndef ZAGENT_BPF_PATH_H
#define ZAGENT_BPF_PATH_H

#define ZAGENT_PATH_LIMIT 512
#define ZAGENT_PATH_BUF (2 * ZAGENT_PATH_LIMIT)

#endif
