/* stb_image_write for the seed-corpus generator only (no target fuzzes an encoder). Built without UBSan:
   its JPEG encoder left-shifts negative coefficients (stb_image_write.h, stbiw__jpg_writeBits' callers),
   undefined in C though every compiler does the arithmetic shift, which would stop the generator. */
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
