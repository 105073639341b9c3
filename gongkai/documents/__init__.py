"""Generated 文书: official documents rendered to DOCX and PDF after GB/T 9704-2012."""
