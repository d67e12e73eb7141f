#include "report/contact_sheet.h"

#include <cairo.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <unordered_set>

#include "core/error.h"
#include "data/dataset.h"
#include "data/render.h"
#include "eval/benchmark.h"

namespace ablate {
namespace {

constexpr int kImageSide = 96;  // px on the sheet, whatever the resolution
constexpr int kMargin = 8;
constexpr int kTextWidth = 560;
constexpr double kFontSize = 12;
constexpr double kLineHeight = 15;
constexpr int kMaxImagesPerRow = 9;

// Words wrapped to lines no wider than `width` in the current font.
std::vector<std::string> wrap(cairo_t* cr, const std::string& text, double width) {
  std::vector<std::string> lines;
  std::istringstream words(text);
  std::string word, line;
  while (words >> word) {
    const std::string candidate = line.empty() ? word : line + " " + word;
    cairo_text_extents_t ext;
    cairo_text_extents(cr, candidate.c_str(), &ext);
    if (ext.x_advance > width && !line.empty()) {
      lines.push_back(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

// The model's input image of `scene`, as an RGB24 cairo surface.
cairo_surface_t* image_surface(const Scene& scene, const DataOptions& data) {
  const auto img = scene_image(scene, data.render_resolution, data.resolution);  // [3, H, W]
  const auto bytes = img.add(1.0).mul(127.5).round().clamp(0, 255).to(torch::kUInt8);
  const int side = data.resolution;
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, side, side);
  cairo_surface_flush(s);
  unsigned char* data_ptr = cairo_image_surface_get_data(s);
  const int stride = cairo_image_surface_get_stride(s);
  auto acc = bytes.accessor<uint8_t, 3>();
  for (int y = 0; y < side; ++y) {
    auto* row = reinterpret_cast<uint32_t*>(data_ptr + y * stride);
    for (int x = 0; x < side; ++x) {
      row[x] = (uint32_t(acc[0][y][x]) << 16) | (uint32_t(acc[1][y][x]) << 8) | acc[2][y][x];
    }
  }
  cairo_surface_mark_dirty(s);
  return s;
}

}  // namespace

void write_contact_sheet(const std::string& path, const std::string& title,
                         const std::vector<SheetRow>& rows, const DataOptions& data) {
  // Measure first: row heights depend on the wrapped text.
  cairo_surface_t* probe = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
  cairo_t* pc = cairo_create(probe);
  cairo_select_font_face(pc, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(pc, kFontSize);
  std::vector<std::vector<std::string>> lines;
  std::vector<int> heights;
  int images_wide = 1;
  for (const auto& r : rows) {
    images_wide = std::max(images_wide, std::min<int>(r.images.size(), kMaxImagesPerRow));
  }
  const int text_x = kMargin + images_wide * (kImageSide + kMargin);
  int total = kMargin + 2 * static_cast<int>(kLineHeight);
  for (const auto& r : rows) {
    lines.push_back(wrap(pc, r.text, kTextWidth));
    const int image_rows = r.images.empty() ? 0 : (int(r.images.size()) + kMaxImagesPerRow - 1) /
                                                      kMaxImagesPerRow;
    const int h = std::max(image_rows * (kImageSide + kMargin),
                           static_cast<int>(lines.back().size() * kLineHeight) + kMargin);
    heights.push_back(h);
    total += h;
  }
  cairo_destroy(pc);
  cairo_surface_destroy(probe);

  const int width = text_x + kTextWidth + kMargin;
  cairo_surface_t* sheet = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, total);
  cairo_t* cr = cairo_create(sheet);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, kFontSize);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_move_to(cr, kMargin, kMargin + kLineHeight);
  cairo_show_text(cr, title.c_str());
  double y = kMargin + 2 * kLineHeight;
  const double scale = double(kImageSide) / data.resolution;
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t k = 0; k < rows[i].images.size(); ++k) {
      cairo_surface_t* img = image_surface(rows[i].images[k], data);
      cairo_save(cr);
      cairo_translate(cr, kMargin + (k % kMaxImagesPerRow) * (kImageSide + kMargin),
                      y + (k / kMaxImagesPerRow) * (kImageSide + kMargin));
      cairo_scale(cr, scale, scale);
      cairo_set_source_surface(cr, img, 0, 0);
      // Pixels as the encoder sees them: no smoothing when enlarged.
      cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
      cairo_paint(cr);
      cairo_restore(cr);
      cairo_surface_destroy(img);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (size_t l = 0; l < lines[i].size(); ++l) {
      cairo_move_to(cr, text_x, y + (l + 1) * kLineHeight - 3);
      cairo_show_text(cr, lines[i][l].c_str());
    }
    y += heights[i];
  }
  cairo_destroy(cr);
  const cairo_status_t status = cairo_surface_write_to_png(sheet, path.c_str());
  cairo_surface_destroy(sheet);
  if (status != CAIRO_STATUS_SUCCESS) {
    throw RunFolderError(fmt::format("{}: cannot write PNG ({})", path,
                                     cairo_status_to_string(status)));
  }
}

std::vector<std::string> show_data(const ExperimentConfig& config, const std::string& out_dir,
                                   int num_documents) {
  std::filesystem::create_directories(out_dir);
  std::vector<std::string> written;
  const EvalSet eval = make_eval_set(config.data, config.eval);
  const TrainStream stream(config, eval.signatures);
  std::vector<SheetRow> rows;
  for (int i = 0; i < num_documents; ++i) {
    int kind = 0;
    const Document doc = stream.example(i, &kind);
    rows.push_back({doc.scenes(), fmt::format("[{}] {}", kDocumentKinds[kind], doc.text())});
  }
  const std::string training = (std::filesystem::path(out_dir) / "training.png").string();
  write_contact_sheet(
      training,
      fmt::format("{}: training documents 0-{} of seed {} at {} px", config.name,
                  num_documents - 1, config.seed, config.data.resolution),
      rows, config.data);
  written.push_back(training);

  const int most_shots = *std::max_element(config.eval.shots.begin(), config.eval.shots.end());
  for (const auto& set : eval.benchmarks) {
    rows.clear();
    for (int i = 0; i < 8 && i < static_cast<int>(set.items.size()); ++i) {
      const EvalItem& item = set.items[i];
      rows.push_back({item.images, fmt::format("[{}] {} -> {}", item.type, item.prompt,
                                               item.references.front())});
    }
    const int k = shots_of(set, config.eval).back() == 0 ? 0 : most_shots;
    const Document prompt = few_shot_prompt(set, config.eval, 0, k);
    rows.push_back({prompt.scenes(), fmt::format("{}-shot prompt of item 0: {}", k, prompt.text())});
    const std::string path = (std::filesystem::path(out_dir) / (set.name + ".png")).string();
    write_contact_sheet(path,
                        fmt::format("{} (models {}): items 0-7 with answers", set.name,
                                    set.benchmark->models),
                        rows, config.data);
    written.push_back(path);
  }
  return written;
}

}  // namespace ablate
