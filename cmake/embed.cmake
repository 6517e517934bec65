# Text files compiled into the binary (the default config, the remote probe
# script) keep one source of truth: the file in the tree. At build time each
# becomes a header in build/embed/ defining
#     static const char NAME[] = "...";
# Use: embed_text(NAME path/relative/to/source) then #include "embed/NAME.h".

set(EMBED_DIR ${CMAKE_BINARY_DIR}/embed)
set(EMBED_HEADERS "")

function(embed_text name src)
  set(out ${EMBED_DIR}/${name}.h)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DNAME=${name} -DSRC=${CMAKE_SOURCE_DIR}/${src} -DOUT=${out}
            -P ${CMAKE_SOURCE_DIR}/cmake/embed_run.cmake
    DEPENDS ${CMAKE_SOURCE_DIR}/${src} ${CMAKE_SOURCE_DIR}/cmake/embed_run.cmake
    COMMENT "Embedding ${src}")
  set(EMBED_HEADERS ${EMBED_HEADERS} ${out} PARENT_SCOPE)
endfunction()
