"""督促整改 notices (条例第四十七条) and 投诉举报 about disclosure work (第四十七条第二款、第五十一条), tracked to closure."""
