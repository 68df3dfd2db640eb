WITH "t7" AS (
  SELECT
    "t6"."customer_id",
    "t6"."t0",
    MIN("t6"."ts") FILTER(WHERE
      (
        "t6"."name" = 'view'
      )
      AND (
        "t6"."ts" <= (
          "t6"."t0" + INTERVAL '3600000000' MICROSECOND
        )
      )) AS "step",
    MIN("t6"."ts") FILTER(WHERE
      "t6"."name" IN ('refund')) AS "x"
  FROM (
    SELECT
      "t5"."customer_id",
      "t5"."t0",
      "t3"."cid",
      "t3"."ts",
      "t3"."name"
    FROM (
      SELECT
        "t2"."cid" AS "customer_id",
        MIN("t2"."ts") AS "t0"
      FROM (
        SELECT
          "t0"."customer_id" AS "cid",
          "t0"."timestamp" AS "ts",
          "t0"."event" AS "name"
        FROM "events" AS "t0"
        WHERE
          "t0"."event" IN ('visit', 'view', 'cart', 'purchase', 'refund')
          AND "t0"."event" = 'visit'
      ) AS "t2"
      GROUP BY
        1
    ) AS "t5"
    INNER JOIN (
      SELECT
        "t0"."customer_id" AS "cid",
        "t0"."timestamp" AS "ts",
        "t0"."event" AS "name"
      FROM "events" AS "t0"
      WHERE
        "t0"."event" IN ('visit', 'view', 'cart', 'purchase', 'refund')
    ) AS "t3"
      ON "t5"."customer_id" = "t3"."cid"
      AND "t3"."name" IN ('view', 'refund')
      AND "t3"."ts" > "t5"."t0"
  ) AS "t6"
  GROUP BY
    1,
    2
), "t17" AS (
  SELECT
    "t14"."customer_id",
    "t14"."t1",
    "t14"."t0",
    MIN("t14"."ts") FILTER(WHERE
      (
        "t14"."name" = 'cart'
      )
      AND (
        "t14"."ts" <= (
          "t14"."t0" + INTERVAL '3600000000' MICROSECOND
        )
      )) AS "step",
    MIN("t14"."ts") FILTER(WHERE
      "t14"."name" IN ('refund')) AS "x"
  FROM (
    SELECT
      "t12"."customer_id",
      "t12"."t0",
      "t12"."t1",
      "t3"."cid",
      "t3"."ts",
      "t3"."name"
    FROM (
      SELECT
        "t8"."customer_id",
        "t8"."t0",
        "t8"."step" AS "t1"
      FROM "t7" AS "t8"
      WHERE
        "t8"."step" IS NOT NULL
        AND (
          (
            "t8"."x" IS NULL
          ) OR (
            "t8"."x" >= "t8"."step"
          )
        )
    ) AS "t12"
    INNER JOIN (
      SELECT
        "t0"."customer_id" AS "cid",
        "t0"."timestamp" AS "ts",
        "t0"."event" AS "name"
      FROM "events" AS "t0"
      WHERE
        "t0"."event" IN ('visit', 'view', 'cart', 'purchase', 'refund')
    ) AS "t3"
      ON "t12"."customer_id" = "t3"."cid"
      AND "t3"."name" IN ('cart', 'refund')
      AND "t3"."ts" > "t12"."t1"
  ) AS "t14"
  GROUP BY
    1,
    2,
    3
)
SELECT
  SUM(CASE WHEN "t32"."r0" THEN 1 ELSE 0 END) AS "n0",
  SUM(CASE WHEN "t32"."r1" THEN 1 ELSE 0 END) AS "n1",
  AVG(CAST(DATE_DIFF('MICROSECOND', "t32"."t0", "t32"."t1") AS DOUBLE) / 1000000) AS "mean1",
  QUANTILE_CONT(CAST(DATE_DIFF('MICROSECOND', "t32"."t0", "t32"."t1") AS DOUBLE) / 1000000, 0.5) AS "median1",
  QUANTILE_CONT(CAST(DATE_DIFF('MICROSECOND', "t32"."t0", "t32"."t1") AS DOUBLE) / 1000000, 0.9) AS "p90_1",
  SUM(CASE WHEN "t32"."r2" THEN 1 ELSE 0 END) AS "n2",
  AVG(CAST(DATE_DIFF('MICROSECOND', "t32"."t1", "t32"."t2") AS DOUBLE) / 1000000) AS "mean2",
  QUANTILE_CONT(CAST(DATE_DIFF('MICROSECOND', "t32"."t1", "t32"."t2") AS DOUBLE) / 1000000, 0.5) AS "median2",
  QUANTILE_CONT(CAST(DATE_DIFF('MICROSECOND', "t32"."t1", "t32"."t2") AS DOUBLE) / 1000000, 0.9) AS "p90_2",
  SUM(CASE WHEN "t32"."r3" THEN 1 ELSE 0 END) AS "n3",
  AVG(CAST(DATE_DIFF('MICROSECOND', "t32"."t2", "t32"."t3") AS DOUBLE) / 1000000) AS "mean3",
  QUANTILE_CONT(CAST(DATE_DIFF('MICROSECOND', "t32"."t2", "t32"."t3") AS DOUBLE) / 1000000, 0.5) AS "median3",
  QUANTILE_CONT(CAST(DATE_DIFF('MICROSECOND', "t32"."t2", "t32"."t3") AS DOUBLE) / 1000000, 0.9) AS "p90_3"
FROM (
  SELECT
    "t31"."customer_id",
    "t31"."t0",
    "t31"."t1",
    "t31"."t2",
    "t31"."t3",
    "t31"."t0" IS NOT NULL AS "r0",
    "t31"."t1" IS NOT NULL AS "r1",
    "t31"."t2" IS NOT NULL AS "r2",
    "t31"."t3" IS NOT NULL AS "r3"
  FROM (
    SELECT
      "t30".*
      EXCLUDE ("cid")
    FROM (
      SELECT
        "t26"."customer_id",
        "t26"."t0",
        "t26"."t1",
        "t26"."t2",
        "t29"."cid",
        "t29"."t3"
      FROM (
        SELECT
          "t23".*
          EXCLUDE ("cid")
        FROM (
          SELECT
            "t16"."customer_id",
            "t16"."t0",
            "t16"."t1",
            "t21"."cid",
            "t21"."t2"
          FROM (
            SELECT
              "t13"."customer_id",
              "t13"."t0",
              "t13"."t1"
            FROM (
              SELECT
                "t5"."customer_id",
                "t5"."t0",
                "t11"."cid",
                "t11"."t1"
              FROM (
                SELECT
                  "t2"."cid" AS "customer_id",
                  MIN("t2"."ts") AS "t0"
                FROM (
                  SELECT
                    "t0"."customer_id" AS "cid",
                    "t0"."timestamp" AS "ts",
                    "t0"."event" AS "name"
                  FROM "events" AS "t0"
                  WHERE
                    "t0"."event" IN ('visit', 'view', 'cart', 'purchase', 'refund')
                    AND "t0"."event" = 'visit'
                ) AS "t2"
                GROUP BY
                  1
              ) AS "t5"
              LEFT OUTER JOIN (
                SELECT
                  "t8"."customer_id" AS "cid",
                  "t8"."step" AS "t1"
                FROM "t7" AS "t8"
                WHERE
                  "t8"."step" IS NOT NULL
                  AND (
                    (
                      "t8"."x" IS NULL
                    ) OR (
                      "t8"."x" >= "t8"."step"
                    )
                  )
              ) AS "t11"
                ON "t5"."customer_id" = "t11"."cid"
            ) AS "t13"
          ) AS "t16"
          LEFT OUTER JOIN (
            SELECT
              "t18"."customer_id" AS "cid",
              "t18"."step" AS "t2"
            FROM "t17" AS "t18"
            WHERE
              "t18"."step" IS NOT NULL
              AND (
                (
                  "t18"."x" IS NULL
                ) OR (
                  "t18"."x" >= "t18"."step"
                )
              )
          ) AS "t21"
            ON "t16"."customer_id" = "t21"."cid"
        ) AS "t23"
      ) AS "t26"
      LEFT OUTER JOIN (
        SELECT
          "t27"."customer_id" AS "cid",
          "t27"."step" AS "t3"
        FROM (
          SELECT
            "t24"."customer_id",
            "t24"."t2",
            "t24"."t0",
            MIN("t24"."ts") FILTER(WHERE
              (
                "t24"."name" = 'purchase'
              )
              AND (
                "t24"."ts" <= (
                  "t24"."t0" + INTERVAL '3600000000' MICROSECOND
                )
              )) AS "step",
            MIN("t24"."ts") FILTER(WHERE
              "t24"."name" IN ('refund')) AS "x"
          FROM (
            SELECT
              "t22"."customer_id",
              "t22"."t0",
              "t22"."t2",
              "t3"."cid",
              "t3"."ts",
              "t3"."name"
            FROM (
              SELECT
                "t18"."customer_id",
                "t18"."t0",
                "t18"."step" AS "t2"
              FROM "t17" AS "t18"
              WHERE
                "t18"."step" IS NOT NULL
                AND (
                  (
                    "t18"."x" IS NULL
                  ) OR (
                    "t18"."x" >= "t18"."step"
                  )
                )
            ) AS "t22"
            INNER JOIN (
              SELECT
                "t0"."customer_id" AS "cid",
                "t0"."timestamp" AS "ts",
                "t0"."event" AS "name"
              FROM "events" AS "t0"
              WHERE
                "t0"."event" IN ('visit', 'view', 'cart', 'purchase', 'refund')
            ) AS "t3"
              ON "t22"."customer_id" = "t3"."cid"
              AND "t3"."name" IN ('purchase', 'refund')
              AND "t3"."ts" > "t22"."t2"
          ) AS "t24"
          GROUP BY
            1,
            2,
            3
        ) AS "t27"
        WHERE
          "t27"."step" IS NOT NULL
          AND (
            (
              "t27"."x" IS NULL
            ) OR (
              "t27"."x" >= "t27"."step"
            )
          )
      ) AS "t29"
        ON "t26"."customer_id" = "t29"."cid"
    ) AS "t30"
  ) AS "t31"
) AS "t32"
