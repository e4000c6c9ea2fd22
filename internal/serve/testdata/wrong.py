"""Answers right except for ids 2 and 3."""
import service


def answer(row):
    s = service.score(row)
    return {"score": s + 0.01 if str(row["id"]) in ("2", "3") else s}


service.run(answer=answer)
