/**
 * The "Open from PACS" workflow as state: the connection (remembered in localStorage when asked), the
 * studies found, the series listed, the classified series and its report, and the one step running.
 * Each step's failure becomes `problem` and clears nothing else.
 */
import { useMemo, useState } from 'react';
import { normaliseBaseUrl, type DicomWebSeries, type DicomWebStudy, type ModelMetadata } from '@respidetect/contract';
import { classifySeries as runClassifySeries } from './classify-series';
import { PacsClient } from './client';
import { readRemembered, remember, type PacsAuth } from './credentials';
import { cspBlocked, watchCsp } from './csp-watch';
import type { ClassifiedFile } from './report';
import { problemOf, type Done, type Problem, type Progress, type Sent, type StudyQuery } from './session-types';

export interface PacsSessionOptions {
  meta: ModelMetadata;
  classify: (files: File[]) => Promise<ClassifiedFile[]>;
  software: string;
}

export function usePacsSession({ meta, classify, software }: PacsSessionOptions) {
  const saved = useMemo(() => readRemembered(localStorage), []);
  const [baseUrl, setBaseUrl] = useState(saved.baseUrl);
  const [auth, setAuth] = useState<PacsAuth>(saved.auth ?? { kind: 'none' });
  const [keepAuth, setKeepAuth] = useState(saved.auth !== null);
  const [query, setQuery] = useState<StudyQuery>({ patientId: '', dateFrom: '', dateTo: '', modality: 'CT' });
  const [studies, setStudies] = useState<DicomWebStudy[] | null>(null);
  const [series, setSeries] = useState<{ study: DicomWebStudy; list: DicomWebSeries[] } | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [done, setDone] = useState<Done | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [sent, setSent] = useState<Sent | null>(null);

  const client = (): PacsClient => {
    watchCsp(document);
    const base = normaliseBaseUrl(baseUrl);
    remember(localStorage, base, auth, keepAuth);
    return new PacsClient(base, auth, { pageOrigin: location.origin, cspBlocked });
  };

  /** Runs one step; its failure is shown and nothing else on the page changes. */
  const step = async (label: string, f: () => Promise<void>) => {
    setBusy(label);
    setProblem(null);
    try {
      await f();
    } catch (e) {
      setProblem(problemOf(e));
    } finally {
      setBusy(null);
    }
  };

  const search = () =>
    step('Searching…', async () => {
      const found = await client().searchStudies({ patientId: query.patientId, dateFrom: query.dateFrom, dateTo: query.dateTo, modality: query.modality || undefined });
      setStudies(found);
      setSeries(null);
    });

  const showSeries = (study: DicomWebStudy) =>
    step('Listing series…', async () => {
      setSeries({ study, list: await client().listSeries(study.studyInstanceUid) });
    });

  const classifySeries = (study: DicomWebStudy, s: DicomWebSeries) =>
    step('Classifying…', async () => {
      setDone(await runClassifySeries({ connect: client, meta, study, series: s, classify, software, onProgress: setProgress }));
      setSent(null);
    }).finally(() => setProgress(null));

  const send = (j: Done) =>
    step('Sending the report…', async () => {
      const r = await client().store(j.sr, j.sopInstanceUid);
      setSent(r.stored[0] ?? null);
    });

  return {
    connection: { baseUrl, setBaseUrl, auth, setAuth, keepAuth, setKeepAuth },
    query,
    setQuery,
    studies,
    series,
    progress,
    done,
    problem,
    busy,
    sent,
    search,
    showSeries,
    classifySeries,
    send,
  };
}

export type PacsSession = ReturnType<typeof usePacsSession>;
