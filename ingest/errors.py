"""Ingest errors. Data problems become a status on the parsed document; these exceptions carry
the French, user-facing message that ends up in `ParsedDocument.errors`."""

from __future__ import annotations

APT_TESSERACT = "apt-get install tesseract-ocr tesseract-ocr-fra"


class IngestError(Exception):
    """Base of every ingest error; `message` is French and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FileTooLargeError(IngestError):
    def __init__(self, size: int | None, max_bytes: int) -> None:
        shown = f"{size / 1_048_576:.1f} Mo" if size is not None else "plus de la limite"
        super().__init__(
            f"Fichier trop volumineux ({shown}, limite {max_bytes / 1_048_576:.1f} Mo) : "
            "il n'a pas été traité ; découpez-le ou augmentez la limite d'import."
        )


class EmptyFileError(IngestError):
    def __init__(self) -> None:
        super().__init__("Fichier vide (0 octet) : rien à lire ; vérifiez l'export ou renvoyez le fichier.")


class PasswordProtectedError(IngestError):
    def __init__(self, kind: str = "PDF") -> None:
        super().__init__(
            f"{kind} protégé par mot de passe : le fichier original est conservé ; "
            "fournissez une version non protégée."
        )


class CorruptFileError(IngestError):
    def __init__(self, kind: str, detail: str | None = None) -> None:
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"Fichier {kind} illisible ou endommagé{extra} : le fichier original est conservé ; "
            "réenregistrez-le depuis le logiciel d'origine ou fournissez une autre copie."
        )


class UnsafeArchiveError(IngestError):
    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(
            f"Fichier {kind} refusé par précaution ({reason}) : il ressemble à une « bombe de "
            "décompression » ; le fichier original est conservé, vérifiez sa provenance."
        )


class UnsupportedFormatError(IngestError):
    def __init__(self, fmt: str, advice: str | None = None) -> None:
        tail = advice or "convertissez-le en PDF, DOCX ou texte"
        super().__init__(f"Format non pris en charge ({fmt}) : le fichier original est conservé ; {tail}.")


class OcrUnavailableError(IngestError):
    def __init__(self, lang: str) -> None:
        super().__init__(
            f"Reconnaissance de caractères (OCR, langue « {lang} ») indisponible sur ce serveur : "
            f"les pages numérisées n'ont pas pu être lues ; installez-la avec « {APT_TESSERACT} »."
        )


class BlobNotFoundError(IngestError):
    def __init__(self, sha: str) -> None:
        super().__init__(f"Fichier original introuvable dans le stockage (empreinte {sha[:12]}…).")
