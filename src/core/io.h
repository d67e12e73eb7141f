// Files: whole-file reads with errors that name the file, atomic writes
// (temp file + rename, so a reader never sees half a file), content hashes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace ablate {

std::string read_file(const std::string& path);
void write_file_atomic(const std::string& path, const std::string& content);
void append_line(const std::string& path, const std::string& line);

// Parses a JSON file; a missing, truncated or malformed file is a
// RunFolderError naming it.
nlohmann::json read_json(const std::string& path);
void write_json_atomic(const std::string& path, const nlohmann::json& value);

// 64-bit FNV-1a as 16 lowercase hex digits.
std::string fnv1a_hex(const std::string& text);

std::string hostname();
std::string now_iso8601();

}  // namespace ablate
