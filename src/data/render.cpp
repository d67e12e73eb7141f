#include "data/render.h"

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string_view>

#include "data/fashion.h"

namespace ablate {
namespace {

struct Rgb {
  double r, g, b;
};
// Same order as kColourNames.
constexpr Rgb kPalette[] = {{0.90, 0.10, 0.10}, {0.10, 0.70, 0.20}, {0.15, 0.30, 0.95},
                            {0.95, 0.90, 0.10}, {0.60, 0.20, 0.80}, {1.00, 0.55, 0.00},
                            {1.00, 1.00, 1.00}, {0.05, 0.05, 0.05}};
static_assert(sizeof(kPalette) / sizeof(kPalette[0]) == kColourNames.size());
constexpr double kBackground = 0.5;

// A pattern's shade: half the object's colour; white and black get greys
// that stand apart from them and from the background.
Rgb pattern_shade(int colour) {
  if (kColourNames[colour] == std::string_view("white")) return {0.70, 0.70, 0.70};
  if (kColourNames[colour] == std::string_view("black")) return {0.35, 0.35, 0.35};
  const Rgb& c = kPalette[colour];
  return {0.5 * c.r, 0.5 * c.g, 0.5 * c.b};
}

// The object's pattern over its bounding box, anchored at its centre, each
// covering half the surface: diagonal stripes half a period wide, dots of
// radius 0.4 periods on a square grid (pi * 0.4^2 = 0.503), or a checkerboard
// of half-period squares. The caller clips to the shape.
void draw_texture(cairo_t* cr, const Object& o, int size) {
  const double p = kTexturePeriod * size, r = 1.2 * o.radius() * size;
  const int n = static_cast<int>(std::ceil(r / p)) + 1;
  const Rgb c = pattern_shade(o.colour);
  cairo_save(cr);
  cairo_translate(cr, o.x * size, o.y * size);
  cairo_set_source_rgb(cr, c.r, c.g, c.b);
  switch (o.texture) {
    case 1:  // striped
      cairo_rotate(cr, M_PI / 4);
      for (int k = -n; k <= n; ++k) cairo_rectangle(cr, k * p, -2 * r, p / 2, 4 * r);
      break;
    case 2:  // dotted
      for (int i = -n; i <= n; ++i) {
        for (int j = -n; j <= n; ++j) {
          cairo_new_sub_path(cr);
          cairo_arc(cr, i * p, j * p, 0.4 * p, 0, 2 * M_PI);
        }
      }
      break;
    case 3:  // checked
      for (int i = -2 * n; i < 2 * n; ++i) {
        for (int j = -2 * n; j < 2 * n; ++j) {
          if ((i + j) % 2 == 0) cairo_rectangle(cr, i * p / 2, j * p / 2, p / 2, p / 2);
        }
      }
      break;
    default:
      throw std::logic_error("render: unknown texture index");
  }
  cairo_fill(cr);
  cairo_restore(cr);
}

void polygon(cairo_t* cr, double cx, double cy, double r, int corners, double start_angle,
             double inner_ratio) {
  const int points = inner_ratio > 0 ? corners * 2 : corners;
  for (int i = 0; i < points; ++i) {
    const double radius = (inner_ratio > 0 && i % 2 == 1) ? r * inner_ratio : r;
    const double angle = start_angle + 2 * M_PI * i / points;
    const double px = cx + radius * std::cos(angle);
    const double py = cy + radius * std::sin(angle);
    if (i == 0) {
      cairo_move_to(cr, px, py);
    } else {
      cairo_line_to(cr, px, py);
    }
  }
  cairo_close_path(cr);
}

void trace_shape(cairo_t* cr, const Object& o, int size) {
  const double cx = o.x * size, cy = o.y * size, r = o.radius() * size;
  switch (o.shape) {
    case 0:  // circle
      cairo_arc(cr, cx, cy, r, 0, 2 * M_PI);
      break;
    case 1:  // square, same area order as the circle
      cairo_rectangle(cr, cx - 0.85 * r, cy - 0.85 * r, 1.7 * r, 1.7 * r);
      break;
    case 2:  // triangle, pointing up
      polygon(cr, cx, cy + 0.15 * r, 1.1 * r, 3, -M_PI / 2, 0);
      break;
    case 3:  // diamond
      polygon(cr, cx, cy, r, 4, -M_PI / 2, 0);
      break;
    case 4:  // five-pointed star
      polygon(cr, cx, cy, 1.1 * r, 5, -M_PI / 2, 0.45);
      break;
    default:
      throw std::logic_error("render: unknown shape index");
  }
}

// A white box with the text centred in black DejaVu Sans Bold (through
// fontconfig; Debian's fonts-dejavu-core), capitals kSignTextHeight tall.
void draw_sign(cairo_t* cr, const Sign& sign, int size) {
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, (sign.x - sign.width / 2) * size, (sign.y - sign.height / 2) * size,
                  sign.width * size, sign.height * size);
  cairo_fill(cr);
  constexpr double kCapHeightPerEm = 0.73;  // DejaVu Sans
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size(cr, kSignTextHeight * size / kCapHeightPerEm);
  cairo_text_extents_t ext;
  cairo_text_extents(cr, sign.text.c_str(), &ext);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_move_to(cr, sign.x * size - ext.x_bearing - ext.width / 2,
                sign.y * size - ext.y_bearing - ext.height / 2);
  cairo_show_text(cr, sign.text.c_str());
}

// A Fashion-MNIST photo: a black square of side kFashionSide, the item's
// 28 x 28 greyscale pixels painted over it in white with their value as
// alpha, scaled with bilinear filtering (the dataset's own look: a light item
// on black).
void draw_item(cairo_t* cr, const FashionItem& item, int size) {
  const double side = kFashionSide * size;
  const double left = item.x * size - side / 2, top = item.y * size - side / 2;
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_rectangle(cr, left, top, side, side);
  cairo_fill(cr);
  cairo_surface_t* photo =
      cairo_image_surface_create(CAIRO_FORMAT_A8, kFashionPixels, kFashionPixels);
  cairo_surface_flush(photo);
  unsigned char* data = cairo_image_surface_get_data(photo);
  const int stride = cairo_image_surface_get_stride(photo);
  const uint8_t* pixels = fashion_split(item.test).image(item.image);
  for (int y = 0; y < kFashionPixels; ++y) {
    std::copy(pixels + y * kFashionPixels, pixels + (y + 1) * kFashionPixels, data + y * stride);
  }
  cairo_surface_mark_dirty(photo);
  cairo_save(cr);
  cairo_translate(cr, left, top);
  cairo_scale(cr, side / kFashionPixels, side / kFashionPixels);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_pattern_t* mask = cairo_pattern_create_for_surface(photo);
  cairo_pattern_set_filter(mask, CAIRO_FILTER_BILINEAR);
  cairo_mask(cr, mask);
  cairo_pattern_destroy(mask);
  cairo_restore(cr);
  cairo_surface_destroy(photo);
}

}  // namespace

std::vector<uint8_t> render_scene_rgb(const Scene& scene, int size) {
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, size, size);
  cairo_t* cr = cairo_create(surface);
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_GOOD);
  cairo_set_source_rgb(cr, kBackground, kBackground, kBackground);
  cairo_paint(cr);
  for (const auto& o : scene.objects) {
    const Rgb& c = kPalette[o.colour];
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    trace_shape(cr, o, size);
    if (o.texture == 0) {
      cairo_fill(cr);
      continue;
    }
    cairo_fill_preserve(cr);
    cairo_save(cr);
    cairo_clip(cr);
    draw_texture(cr, o, size);
    cairo_restore(cr);
  }
  if (!scene.sign.text.empty()) draw_sign(cr, scene.sign, size);
  for (const auto& item : scene.items) draw_item(cr, item, size);
  cairo_surface_flush(surface);
  const unsigned char* data = cairo_image_surface_get_data(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  std::vector<uint8_t> rgb(static_cast<size_t>(size) * size * 3);
  for (int y = 0; y < size; ++y) {
    const auto* row = reinterpret_cast<const uint32_t*>(data + y * stride);
    for (int x = 0; x < size; ++x) {
      const uint32_t px = row[x];  // native-endian 0x00RRGGBB
      uint8_t* out = &rgb[(static_cast<size_t>(y) * size + x) * 3];
      out[0] = (px >> 16) & 0xFF;
      out[1] = (px >> 8) & 0xFF;
      out[2] = px & 0xFF;
    }
  }
  cairo_destroy(cr);
  cairo_surface_destroy(surface);
  return rgb;
}

std::vector<float> area_downsample(const std::vector<uint8_t>& rgb, int in_size, int out_size) {
  if (out_size <= 0 || in_size % out_size != 0) {
    throw std::invalid_argument("area_downsample: output size must divide input size");
  }
  const int f = in_size / out_size;
  const float scale = 1.0f / (255.0f * f * f);
  std::vector<float> out(static_cast<size_t>(out_size) * out_size * 3, 0.0f);
  for (int y = 0; y < in_size; ++y) {
    const int oy = y / f;
    for (int x = 0; x < in_size; ++x) {
      const uint8_t* px = &rgb[(static_cast<size_t>(y) * in_size + x) * 3];
      float* o = &out[(static_cast<size_t>(oy) * out_size + x / f) * 3];
      o[0] += px[0];
      o[1] += px[1];
      o[2] += px[2];
    }
  }
  for (auto& v : out) v *= scale;
  return out;
}

torch::Tensor scene_image(const Scene& scene, int render_resolution, int resolution) {
  const auto pixels =
      area_downsample(render_scene_rgb(scene, render_resolution), render_resolution, resolution);
  auto hwc = torch::from_blob(const_cast<float*>(pixels.data()), {resolution, resolution, 3},
                              torch::kFloat32);
  return hwc.permute({2, 0, 1}).mul(2.0).sub(1.0).contiguous();  // [3, H, W], new storage
}

}  // namespace ablate
