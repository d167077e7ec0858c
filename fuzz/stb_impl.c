/* stb_image compiled with the fuzz flags (libstb.a is not instrumented): ASan, UBSan and libFuzzer's
   coverage then reach the decoders the project hands users' files to. */
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>
