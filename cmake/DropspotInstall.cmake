# Shipping dropspot like a Debian tool (issue 15): --version with the git
# revision, man pages and bash completion generated from the --help texts,
# install rules, and a .deb through CPack.  Included at the end of the top
# CMakeLists.txt, after the dropspot target exists.
include(GNUInstallDirs)

# --- dropspot --version: project version + git revision --------------------
# A target that always runs, rewriting dropspot_version.h only when the
# revision (or the version) changes.
set(DROPSPOT_VERSION_H ${CMAKE_BINARY_DIR}/dropspot_version.h)
add_custom_target(dropspot_version
	COMMAND ${CMAKE_COMMAND} -DSRC=${CMAKE_SOURCE_DIR}
		-DOUT=${DROPSPOT_VERSION_H} -DVERSION=${PROJECT_VERSION}
		-P ${CMAKE_SOURCE_DIR}/cmake/DropspotVersion.cmake
	BYPRODUCTS ${DROPSPOT_VERSION_H}
	COMMENT "dropspot version and git revision"
	VERBATIM)
add_dependencies(dropspot dropspot_version)
target_compile_definitions(dropspot PRIVATE DROPSPOT_HAVE_VERSION_H)

# --- man pages and bash completion, from --help ---------------------------
# man/mkman.sh runs the built dropspot's --help texts through
# man/help2roff.awk into man/<page>.8.in (section 8: most of it needs root).
# Its date: SOURCE_DATE_EPOCH when set (reproducible builds), else today.
# One page per template man/<page>.8.in; mkman.sh stops the build when a
# command of --help has no template or a template no command.
file(GLOB DROPSPOT_PAGE_TEMPLATES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/man/*.8.in)
set(DROPSPOT_PAGES)
foreach(tmpl ${DROPSPOT_PAGE_TEMPLATES})
	get_filename_component(page ${tmpl} NAME)
	string(REGEX REPLACE "\\.8\\.in$" "" page ${page})
	list(APPEND DROPSPOT_PAGES ${page})
endforeach()
string(TIMESTAMP DROPSPOT_MAN_DATE "%Y-%m-%d" UTC)
set(DROPSPOT_DOC_OUTPUTS ${CMAKE_BINARY_DIR}/completion/dropspot)
set(DROPSPOT_MAN_GZ)
foreach(page ${DROPSPOT_PAGES})
	list(APPEND DROPSPOT_DOC_OUTPUTS ${CMAKE_BINARY_DIR}/man/${page}.8)
	list(APPEND DROPSPOT_MAN_GZ ${CMAKE_BINARY_DIR}/man/${page}.8.gz)
endforeach()
list(APPEND DROPSPOT_DOC_OUTPUTS ${DROPSPOT_MAN_GZ})
file(GLOB DROPSPOT_MAN_SOURCES CONFIGURE_DEPENDS
	${CMAKE_SOURCE_DIR}/man/*.8.in ${CMAKE_SOURCE_DIR}/man/*.awk
	${CMAKE_SOURCE_DIR}/man/*.sh ${CMAKE_SOURCE_DIR}/completion/*.in)
add_custom_command(OUTPUT ${DROPSPOT_DOC_OUTPUTS}
	# no leak report from a sanitized build's --help runs
	COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0
		sh ${CMAKE_SOURCE_DIR}/man/mkman.sh $<TARGET_FILE:dropspot>
		${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR} ${PROJECT_VERSION}
		${DROPSPOT_MAN_DATE}
	DEPENDS dropspot ${DROPSPOT_MAN_SOURCES}
	COMMENT "Man pages and bash completion from dropspot --help"
	VERBATIM)
add_custom_target(dropspot_docs ALL DEPENDS ${DROPSPOT_DOC_OUTPUTS})

# --- install rules ---------------------------------------------------------
# bin/, not sbin/: analyze, dissect and diff need no privilege, and on
# Debian 12 tcpdump itself is /usr/bin/tcpdump (sbin is not in a user's
# PATH).  The pages are section 8 all the same, like tcpdump(8).
install(TARGETS dropspot RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${DROPSPOT_MAN_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/cmake/copyright
	DESTINATION ${CMAKE_INSTALL_DOCDIR})
# the schemas' prose and the JSON Schema a pipeline validates events with
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/
	DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md"
	PATTERN "*.json")
install(FILES ${CMAKE_BINARY_DIR}/completion/dropspot
	DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)

# --- Debian package: cd build && cpack (./quickstart.sh package) ----------
# Depends from dpkg-shlibdeps on the binary: libbpf, libpcap and zlib at
# the versions it was linked against (and libc).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME dropspot)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "dropspot developers <dropspot@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
	"find where a ping between a guest and its host loses packets")
# (CPack puts the summary first and indents the rest)
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"dropspot watches the same traffic at several points of a Linux host (tap,
veth, bridge, NIC, other network namespaces) with eBPF, recognises each
echo probe at every point even after NAT, and names the first point where
it went missing, with the kernel's drop reason.  It also decodes, analyses
and compares pcap/pcapng captures.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "iproute2")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "tcpdump, tshark, bash-completion")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR})
include(CPack)
