"""The statutory clock: working-day calendar and the pure deadline arithmetic (条例第三十至三十五条)."""
