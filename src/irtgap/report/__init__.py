"""The report layer: ``irtgap report``'s Markdown and figures, one section per method."""

from irtgap.report.build import SECTIONS, ReportSectionError, Section, write_report

__all__ = ["SECTIONS", "ReportSectionError", "Section", "write_report"]
