// A link to an experiment's runs, named by the experiment (fetched once per id).
import { Link } from 'react-router-dom';
import { getExperiment } from '../api/client.js';
import { useAsync } from '../lib/use-async.js';

export function ExperimentLink({ id }: { id: string }) {
  const exp = useAsync(() => getExperiment(id), [id]);
  return <Link to={`/experiments/${id}`}>{exp.data?.name ?? `Experiment ${id}`}</Link>;
}
