"""qualcode: qualitative coding of interview and focus-group transcripts against logic-model codebooks."""

__version__ = "0.1.0"
