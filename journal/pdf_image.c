/* pdf_image.c: PNG files into the PDF without decoding them.
 *
 * A PNG's image data is a zlib stream of rows that each start with a filter
 * byte: exactly what PDF's FlateDecode with /Predictor 15 reads. So an
 * 8-bit gray or RGB PNG without alpha, transparency, palette or interlacing
 * goes in as its concatenated IDAT chunks (after jr_image_check has read
 * it completely with libpng): no inflate, no deflate, the same pixels.
 * Everything else is decoded by image.c and embedded anew by pdf.c. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <string.h>

#include <hpdf.h>
#include <hpdf_objects.h>
#include <hpdf_streams.h>

#include "image.h"
#include "pdf_speed.h"

static unsigned long be32(const unsigned char *p)
{
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

/* libharu removes /Filter from a stream dictionary whose filter is NONE
 * (and would compress the data again with FLATE): the stream goes out as
 * it is, and /Filter is written by this hook, which libharu calls after
 * the other entries. */
static HPDF_STATUS write_filter(HPDF_Dict obj, HPDF_Stream out)
{
    (void)obj;
    return HPDF_Stream_WriteStr(out, "/Filter /FlateDecode\012");
}

/* Walk the chunks: IHDR's fields, and whether the file qualifies. */
static bool png_qualifies(const unsigned char *d, size_t len, unsigned long *w, unsigned long *h,
                          int *channels)
{
    static const unsigned char magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (len < 8 + 25 || memcmp(d, magic, 8) != 0 || be32(d + 8) != 13 ||
        memcmp(d + 12, "IHDR", 4) != 0)
        return false;
    const unsigned char *ih = d + 16;
    *w = be32(ih);
    *h = be32(ih + 4);
    int depth = ih[8], ctype = ih[9], comp = ih[10], filter = ih[11], interlace = ih[12];
    if (depth != 8 || (ctype != 0 && ctype != 2) || comp != 0 || filter != 0 || interlace != 0)
        return false;
    if (*w == 0 || *h == 0 || *w > JR_IMAGE_MAX_SIDE || *h > JR_IMAGE_MAX_SIDE)
        return false;
    *channels = ctype == 2 ? 3 : 1;
    size_t pos = 8;
    bool idat = false;
    while (pos + 12 <= len) {
        unsigned long n = be32(d + pos);
        if (n > len - pos - 12)
            return false;
        const unsigned char *type = d + pos + 4;
        if (memcmp(type, "tRNS", 4) == 0)
            return false; /* transparency: libpng makes it alpha */
        if (memcmp(type, "IDAT", 4) == 0)
            idat = true;
        if (memcmp(type, "IEND", 4) == 0)
            return idat;
        pos += 12 + n;
    }
    return false;
}

/* image.c keeps caches without locks; PDFs may be written on two threads */
static pthread_mutex_t image_lock = PTHREAD_MUTEX_INITIALIZER;

int jr_pdf_image_check(const char *path, jr_image_info *info, char *why, size_t whylen)
{
    pthread_mutex_lock(&image_lock);
    int rc = jr_image_check(path, info, why, whylen);
    pthread_mutex_unlock(&image_lock);
    return rc;
}

int jr_pdf_image_decode(const char *path, jr_pixels *px, char *why, size_t whylen)
{
    pthread_mutex_lock(&image_lock);
    int rc = jr_image_decode(path, px, why, whylen);
    pthread_mutex_unlock(&image_lock);
    return rc;
}

int jr_pdf_image_icc(const char *path, unsigned char **icc, size_t *len)
{
    pthread_mutex_lock(&image_lock);
    int rc = jr_image_icc(path, icc, len);
    pthread_mutex_unlock(&image_lock);
    return rc;
}

HPDF_Image jr_pdf_png_passthrough(HPDF_Doc pdf, const char *path, const unsigned char *data,
                                  size_t len, int *channels)
{
    unsigned long w = 0, h = 0;
    int ch = 0;
    if (!pdf || !data || !png_qualifies(data, len, &w, &h, &ch))
        return NULL;
    jr_image_info info;
    char why[160];
    int rc = jr_pdf_image_check(path, &info, why, sizeof why);
    if (rc < 0 || info.format != JR_IMG_PNG || info.has_alpha || info.channels != ch ||
        info.width != w || info.height != h)
        return NULL; /* the decode path reports it */

    HPDF_Dict img = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
    if (!img)
        return NULL;
    img->header.obj_class |= HPDF_OSUBCLASS_XOBJECT;
    img->filter = HPDF_STREAM_FILTER_NONE;
    img->write_fn = write_filter;
    HPDF_Dict_AddName(img, "Type", "XObject");
    HPDF_Dict_AddName(img, "Subtype", "Image");
    HPDF_Dict_AddNumber(img, "Width", (HPDF_INT32)w);
    HPDF_Dict_AddNumber(img, "Height", (HPDF_INT32)h);
    HPDF_Dict_AddName(img, "ColorSpace", ch == 3 ? "DeviceRGB" : "DeviceGray");
    HPDF_Dict_AddNumber(img, "BitsPerComponent", 8);
    HPDF_Dict parms = HPDF_Dict_New(pdf->mmgr);
    HPDF_Dict_AddNumber(parms, "Predictor", 15);
    HPDF_Dict_AddNumber(parms, "Colors", ch);
    HPDF_Dict_AddNumber(parms, "BitsPerComponent", 8);
    HPDF_Dict_AddNumber(parms, "Columns", (HPDF_INT32)w);
    HPDF_Dict_Add(img, "DecodeParms", parms);
    for (size_t pos = 8; pos + 12 <= len;) {
        unsigned long n = be32(data + pos);
        if (memcmp(data + pos + 4, "IDAT", 4) == 0 && n > 0)
            HPDF_Stream_Write(img->stream, data + pos + 8, (HPDF_UINT)n);
        if (memcmp(data + pos + 4, "IEND", 4) == 0)
            break;
        pos += 12 + n;
    }
    *channels = ch;
    return (HPDF_Image)img;
}
