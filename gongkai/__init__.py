"""Gongkai (公开): a platform for 政府信息公开 work under the 《政府信息公开条例》(2019)."""

__version__ = "0.1.0"
