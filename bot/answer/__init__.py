"""Answer composition: citations, the extractive answer and the LLM answer."""
