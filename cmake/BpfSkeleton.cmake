# Builds one BPF program into a skeleton header that is embedded in the binary
# (DESIGN.md practice 2; modelled on libbpf-bootstrap's FindBpfObject.cmake):
#   clang -target bpf -> <name>.bpf.o -> bpftool gen skeleton -> <name>.skel.h
#
#   bpf_skeleton(<name> <source> <out_var>)
# sets <out_var> to the generated header path.  vmlinux.h is generated once
# from the build machine's kernel BTF.

find_program(BPF_CLANG NAMES clang clang-14 REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)

set(BPF_OUT_DIR ${CMAKE_BINARY_DIR}/bpf)
file(MAKE_DIRECTORY ${BPF_OUT_DIR})

set(VMLINUX_BTF /sys/kernel/btf/vmlinux CACHE FILEPATH "BTF used to generate vmlinux.h")
set(BPF_VMLINUX_H ${BPF_OUT_DIR}/vmlinux.h)
add_custom_command(OUTPUT ${BPF_VMLINUX_H}
	COMMAND ${BPFTOOL} btf dump file ${VMLINUX_BTF} format c > ${BPF_VMLINUX_H}.tmp
	COMMAND ${CMAKE_COMMAND} -E rename ${BPF_VMLINUX_H}.tmp ${BPF_VMLINUX_H}
	COMMENT "Generating vmlinux.h from ${VMLINUX_BTF}"
	VERBATIM)

# The host's multiarch include dir holds asm/ headers that linux/ uapi needs.
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-multiarch
	OUTPUT_VARIABLE BPF_MULTIARCH OUTPUT_STRIP_TRAILING_WHITESPACE
	ERROR_QUIET)
if(NOT BPF_MULTIARCH)
	set(BPF_MULTIARCH x86_64-linux-gnu)
endif()

function(bpf_skeleton name src out_var)
	set(obj ${BPF_OUT_DIR}/${name}.bpf.o)
	set(skel ${BPF_OUT_DIR}/${name}.skel.h)
	file(GLOB bpf_headers ${CMAKE_SOURCE_DIR}/bpf/*.h)
	add_custom_command(OUTPUT ${obj}
		COMMAND ${BPF_CLANG} -g -O2 -target bpf -D__TARGET_ARCH_x86
			-Wall -Wno-unused-function
			-I${BPF_OUT_DIR} -I${CMAKE_SOURCE_DIR}/bpf
			-I/usr/include/${BPF_MULTIARCH}
			-c ${src} -o ${obj}
		DEPENDS ${src} ${bpf_headers} ${BPF_VMLINUX_H}
		COMMENT "BPF ${name}.bpf.c"
		VERBATIM)
	add_custom_command(OUTPUT ${skel}
		COMMAND ${BPFTOOL} gen skeleton ${obj} name ${name} > ${skel}.tmp
		COMMAND ${CMAKE_COMMAND} -E rename ${skel}.tmp ${skel}
		DEPENDS ${obj}
		COMMENT "Skeleton ${name}.skel.h"
		VERBATIM)
	set(${out_var} ${skel} PARENT_SCOPE)
endfunction()
