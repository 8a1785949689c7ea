/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one ABI between the kernel programs and user space (DESIGN.md practice
 * 1): fixed-width fields, largest first, explicit padding, every record
 * zeroed before it is submitted.  Included by bpf/*.bpf.c and capture/.
 */
#ifndef DROPSPOT_BPF_ABI_H
#define DROPSPOT_BPF_ABI_H

#define DROPSPOT_ABI_VERSION 1

#endif /* DROPSPOT_BPF_ABI_H */
