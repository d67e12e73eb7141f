// `ablate show-data`: a sheet per benchmark plus one of training documents,
// readable PNGs whose size follows what they show.
#include <cairo.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "report/contact_sheet.h"
#include "test_util.h"

namespace ablate {
namespace {

std::pair<int, int> png_size(const std::string& path) {
  cairo_surface_t* s = cairo_image_surface_create_from_png(path.c_str());
  EXPECT_EQ(cairo_surface_status(s), CAIRO_STATUS_SUCCESS) << path;
  const std::pair<int, int> size = {cairo_image_surface_get_width(s),
                                    cairo_image_surface_get_height(s)};
  cairo_surface_destroy(s);
  return size;
}

TEST(ContactSheet, ShowDataWritesTrainingAndEveryBenchmark) {
  testing::ScratchDir dir;
  auto c = testing::tiny_config();
  const auto files = show_data(c, dir.file("show"), /*num_documents=*/4);
  ASSERT_EQ(files.size(), 1 + c.eval.benchmarks.size());
  EXPECT_EQ(std::filesystem::path(files[0]).filename(), "training.png");
  for (const auto& f : files) {
    const auto [w, h] = png_size(f);
    EXPECT_GT(w, 500) << f;
    EXPECT_GT(h, 100) << f;
  }
  // More documents, a taller sheet.
  const auto more = show_data(c, dir.file("more"), /*num_documents=*/8);
  EXPECT_GT(png_size(more[0]).second, png_size(files[0]).second);
}

TEST(ContactSheet, UnwritablePathIsAnErrorNamingIt) {
  auto c = testing::tiny_config();
  try {
    write_contact_sheet("/nonexistent-dir/x.png", "t", {{{}, "text"}}, c.data);
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/x.png"), std::string::npos);
  }
}

}  // namespace
}  // namespace ablate
