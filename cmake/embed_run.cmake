# Script mode: turn SRC into a C string literal in OUT (see embed.cmake).
file(READ ${SRC} text)
string(REPLACE "\\" "\\\\" text "${text}")
string(REPLACE "\"" "\\\"" text "${text}")
string(REPLACE "\t" "\\t" text "${text}")
# C11 still has trigraphs: "??/" would become a backslash.
string(REPLACE "?" "\\?" text "${text}")
string(REPLACE "\r" "\\r" text "${text}")
string(REPLACE "\n" "\\n\"\n\"" text "${text}")
get_filename_component(dir ${OUT} DIRECTORY)
file(MAKE_DIRECTORY ${dir})
file(WRITE ${OUT}.tmp "/* Generated from ${SRC}; edit that file. */\nstatic const char ${NAME}[] =\n\"${text}\";\n")
file(RENAME ${OUT}.tmp ${OUT})
