# `cmake --install`: vkae as a C++ library. Installs the headers (<prefix>/include/vkae/{base,runtime,nn,
# shaders}), the static libraries, and the CMake package vkae (<prefix>/lib/cmake/vkae), so that another
# project writes find_package(vkae) and target_link_libraries(app PRIVATE vkae::vkae). examples/cpp/ is such a
# project; tests build it against a staged install. (The command line and the Python module install too.)
include(CMakePackageConfigHelpers)

# vkae::vkae: the whole library (training, inference, the models, the data), what a program links.
add_library(vkae_library INTERFACE)
target_link_libraries(vkae_library INTERFACE vkae_nn)
set_target_properties(vkae_library PROPERTIES EXPORT_NAME vkae)

set(VKAE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/vkae)
# vkae_warnings is in the set only because the static libraries name it as a private dependency; a
# consumer's code does not get its flags.
install(TARGETS vkae_library vkae_nn vkae_runtime vkae_shaders vkae_tfevents_proto vkae_base vkae_warnings
        EXPORT vkaeTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT library)
install(DIRECTORY base runtime nn shaders DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/vkae COMPONENT library
        FILES_MATCHING PATTERN "*.hpp" PATTERN "*_blocks.h")
install(EXPORT vkaeTargets NAMESPACE vkae:: DESTINATION ${VKAE_CMAKE_DIR} COMPONENT library)

set(VKAE_PACKAGE_WITH_MPI ${MPI_C_FOUND})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/vkaeConfig.cmake.in ${PROJECT_BINARY_DIR}/vkaeConfig.cmake
                              INSTALL_DESTINATION ${VKAE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/vkaeConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/vkaeConfig.cmake ${PROJECT_BINARY_DIR}/vkaeConfigVersion.cmake
        DESTINATION ${VKAE_CMAKE_DIR} COMPONENT library)

if(TARGET vkae)
  install(TARGETS vkae RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cli)
endif()
