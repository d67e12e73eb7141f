// VQA accuracy as the official VQA evaluation computes it (GT-Vision-Lab/VQA,
// vqaEval.py; Antol et al. 2015): the predicted answer is normalised
// (punctuation, number words -> digits, articles, contractions); the 10
// reference answers get the punctuation step only when they disagree; the
// score is min(1, matches / 3) averaged over the 10 leave-one-out subsets.
#pragma once

#include <string>
#include <vector>

namespace ablate {

std::string vqa_process_punctuation(const std::string& text);
std::string vqa_process_digit_article(const std::string& text);

// VQA's annotations hold answers already in the processed form ("2", not
// "two"), which the official script relies on: it processes only the
// predicted answer's number words and articles. References written as the
// proxy world speaks ("four") are put in that form first with this, or no
// answer could ever match them.
std::vector<std::string> vqa_annotation_form(const std::vector<std::string>& references);

// Accuracy of one answer in [0, 1].
double vqa_accuracy(const std::string& answer, const std::vector<std::string>& references);

// Mean over items; answers[i] is scored against references[i].
double vqa_accuracy(const std::vector<std::string>& answers,
                    const std::vector<std::vector<std::string>>& references);

}  // namespace ablate
